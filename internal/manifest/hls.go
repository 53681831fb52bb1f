package manifest

import (
	"errors"
	"slices"
	"strings"
)

// errNotHLS is the error for content that does not start with #EXTM3U, as every playlist must (RFC 8216
// 4.3.1.1).
var errNotHLS = errors.New("not an HLS playlist: the first line must be #EXTM3U")

// hlsReferences lists the URIs of a playlist in order: the URI lines (segments, or the variant
// playlists of a master playlist) and the URI attribute of any tag that has one (EXT-X-KEY, EXT-X-MAP,
// EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF, EXT-X-SESSION-KEY, EXT-X-PART, ...): every file a player
// fetches next to the playlist. A key that a key server hands out (an EXT-X-KEY or EXT-X-SESSION-KEY
// whose URI is a URL, such as https: or FairPlay's skd:) is not a file of the package, and is left
// out rather than refused: ParseStreamingManifest's documentation forbids URLs for segment files.
func hlsReferences(content string) ([]string, error) {
	lines := strings.Split(strings.TrimPrefix(content, "\uFEFF"), "\n")
	if strings.TrimSpace(lines[0]) != "#EXTM3U" {
		return nil, errNotHLS
	}
	var refs []string
	for _, line := range lines[1:] {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "#EXT"):
			if uri, ok := tagURI(line); ok && !isKeyServerURI(line, uri) {
				refs = append(refs, uri)
			}
		case strings.HasPrefix(line, "#"): // a comment
		default:
			refs = append(refs, line)
		}
	}
	return refs, nil
}

// tagURI returns the URI attribute of a tag line such as #EXT-X-KEY:METHOD=AES-128,URI="k.key",IV=0x1.
// Quoted values may hold commas, so the attribute list is read value by value.
func tagURI(line string) (string, bool) {
	_, attributes, found := strings.Cut(line, ":")
	for found && attributes != "" {
		var name, value string
		name, attributes, found = strings.Cut(attributes, "=")
		if !found {
			return "", false
		}
		if strings.HasPrefix(attributes, `"`) {
			var closed bool
			value, attributes, closed = strings.Cut(attributes[1:], `"`)
			if !closed {
				return "", false
			}
			attributes = strings.TrimPrefix(attributes, ",")
		} else {
			value, attributes, _ = strings.Cut(attributes, ",")
		}
		if strings.TrimSpace(name) == "URI" {
			return value, true
		}
		found = true
	}
	return "", false
}

// keyTags are the tags whose URI names a decryption key.
var keyTags = []string{"#EXT-X-KEY:", "#EXT-X-SESSION-KEY:"}

// isKeyServerURI reports whether the URI of a tag line is a key served from elsewhere.
func isKeyServerURI(line, uri string) bool {
	isKey := slices.ContainsFunc(keyTags, func(tag string) bool { return strings.HasPrefix(line, tag) })
	return isKey && (hasScheme(uri) || strings.HasPrefix(uri, "//"))
}
