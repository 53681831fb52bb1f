// Package manifest lists the files an HLS playlist (m3u8) or a DASH manifest (mpd) references, as VOD's
// ParseStreamingManifest does: the segments, initialization sections, keys and nested playlists, each
// as a path relative to the manifest's own directory. VOD only accepts packages whose files sit in that
// directory or below it, so a URL, an absolute path or a ".." step is an error.
package manifest

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Types of manifest, as ParseStreamingManifest's ManifestType names them.
const (
	HLS  = "m3u8"
	DASH = "mpd"
)

// Types lists the manifest types.
var Types = []string{HLS, DASH}

// ErrInvalidPath matches (errors.Is) the error for a reference that is not a relative path inside the
// manifest's directory.
var ErrInvalidPath = errors.New("must be a relative path in the manifest's directory or below it")

// PathError names a reference that cannot be part of a package.
type PathError struct {
	Path   string
	Reason string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("%q %s: %s", e.Path, e.Reason, ErrInvalidPath)
}

func (e *PathError) Unwrap() error { return ErrInvalidPath }

// Files lists the files a manifest of the given type references, relative to its directory, each once
// in the order of its first reference.
func Files(manifestType string, content []byte) ([]string, error) {
	var refs []string
	var err error
	switch manifestType {
	case HLS:
		refs, err = hlsReferences(string(content))
	case DASH:
		refs, err = dashReferences(content)
	default:
		return nil, fmt.Errorf("manifest type %q is not one of %s", manifestType, strings.Join(Types, ", "))
	}
	if err != nil {
		return nil, err
	}
	return uniqueRelativePaths(refs)
}

// IsNested reports whether a listed file is itself a manifest whose files belong to the package: an HLS
// master playlist lists its variant (media) playlists.
func IsNested(manifestType, file string) bool {
	return manifestType == HLS && strings.EqualFold(path.Ext(file), ".m3u8")
}

// uniqueRelativePaths checks every reference and drops repeats.
func uniqueRelativePaths(refs []string) ([]string, error) {
	seen := make(map[string]bool, len(refs))
	files := make([]string, 0, len(refs))
	for _, ref := range refs {
		file, err := relativePath(ref)
		if err != nil {
			return nil, err
		}
		if !seen[file] {
			seen[file] = true
			files = append(files, file)
		}
	}
	return files, nil
}

// relativePath checks one reference and returns it cleaned ("./a//b.ts" is "a/b.ts").
func relativePath(ref string) (string, error) {
	switch {
	case ref == "":
		return "", &PathError{Path: ref, Reason: "is empty"}
	case hasScheme(ref) || strings.HasPrefix(ref, "//"):
		return "", &PathError{Path: ref, Reason: "is a URL"}
	case strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, `\`) || hasDriveLetter(ref):
		return "", &PathError{Path: ref, Reason: "is an absolute path"}
	case strings.ContainsAny(ref, "?#"):
		return "", &PathError{Path: ref, Reason: "has a query or fragment"}
	}
	for _, step := range strings.FieldsFunc(ref, func(r rune) bool { return r == '/' || r == '\\' }) {
		if step == ".." {
			return "", &PathError{Path: ref, Reason: `steps out with ".."`}
		}
	}
	return path.Clean(strings.ReplaceAll(ref, `\`, "/")), nil
}

// hasScheme reports whether ref starts with a URI scheme ("https:", "skd:", "data:"), RFC 3986 3.1.
func hasScheme(ref string) bool {
	scheme, _, found := strings.Cut(ref, ":")
	if !found || scheme == "" || len(scheme) == 1 { // one letter is a drive ("C:"), see hasDriveLetter
		return false
	}
	for i, r := range scheme {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		digitOrMark := r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'
		if !letter && (i == 0 || !digitOrMark) {
			return false
		}
	}
	return true
}

func hasDriveLetter(ref string) bool {
	return len(ref) >= 2 && ref[1] == ':' && (ref[0]|0x20 >= 'a' && ref[0]|0x20 <= 'z')
}
