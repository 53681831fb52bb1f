package emulator

import (
	"path"
	"slices"
	"strings"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/manifest"
)

// CodeInvalidManifestContent is ParseStreamingManifest's answer to a manifest it cannot parse or whose
// files are not relative paths in its directory.
const CodeInvalidManifestContent ErrorCode = "InvalidParameterValue.MediaManifestContent"

type parseStreamingManifestRequest struct {
	MediaManifestContent string `json:"MediaManifestContent"`
	ManifestType         string `json:"ManifestType,omitempty"`
}

type parseStreamingManifestResponse struct {
	MediaSegmentSet []string `json:"MediaSegmentSet"`
}

// parseStreamingManifest implements ParseStreamingManifest: the files an m3u8 or mpd manifest lists,
// relative to its directory. It parses the one manifest it is given; the caller parses the nested
// playlists a master playlist lists in turn, as the official SDKs do. The documentation refuses segment
// paths that are URLs or absolute; whether the service lists an HLS key handed out by a key server
// (an EXT-X-KEY whose URI is a URL) is not documented: like the provider, the emulator leaves it out.
func (s *Server) parseStreamingManifest(call *apiCall) (any, *apiError) {
	var req parseStreamingManifestRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.MediaManifestContent == "" {
		return nil, errMissingParameter("MediaManifestContent")
	}
	manifestType := req.ManifestType
	if manifestType == "" {
		manifestType = manifest.HLS
	}
	if !slices.Contains(manifest.Types, manifestType) {
		return nil, newAPIError(CodeInvalidParameterValue, "ManifestType `%s` is not one of %s.",
			req.ManifestType, strings.Join(manifest.Types, ", "))
	}
	files, err := manifest.Files(manifestType, []byte(req.MediaManifestContent))
	if err != nil {
		return nil, newAPIError(CodeInvalidManifestContent, "The %s manifest cannot be used: %s.", manifestType, err)
	}
	return parseStreamingManifestResponse{MediaSegmentSet: files}, nil
}

// isPackageType reports whether an upload of mediaType is a streaming package: a manifest whose files
// are uploaded next to it.
func isPackageType(mediaType string) bool {
	return slices.Contains(manifest.Types, strings.ToLower(mediaType))
}

// writableDirs is the directory a package session's temporary key may write its files under (the
// directory of MediaStoragePath, without the leading "/"); nil for other sessions, whose key writes
// only the media and cover keys.
func (u UploadSession) writableDirs() []string {
	if !isPackageType(u.Request.MediaType) {
		return nil
	}
	return []string{path.Dir(u.MediaStoragePath)[1:] + "/"}
}

// packageFiles lists the object keys of a committed package's files: every file the manifest lists,
// and the files of the playlists it nests, each of which must have been uploaded; and their bytes.
func (s *Server) packageFiles(session UploadSession, manifestKey string) ([]string, int64, *apiError) {
	manifestType := strings.ToLower(session.Request.MediaType)
	dir := path.Dir(manifestKey)
	var keys []string
	var size int64
	seen := map[string]bool{}
	pending := []string{manifestKey}
	for len(pending) > 0 {
		current := pending[0]
		pending = pending[1:]
		content, ok := s.objects.Object(session.StorageBucket, current)
		if !ok {
			return nil, 0, newAPIError(CodeResourceNotFound, "The package file %s was not uploaded before CommitUpload.", "/"+current)
		}
		files, err := manifest.Files(manifestType, content)
		if err != nil {
			return nil, 0, newAPIError(CodeInvalidManifestContent, "The manifest %s cannot be used: %s.", "/"+current, err)
		}
		for _, file := range files {
			key := path.Join(path.Dir(current), file)
			if seen[key] || key == manifestKey {
				continue
			}
			seen[key] = true
			info, ok := s.objects.Stat(session.StorageBucket, key)
			if !ok || !strings.HasPrefix(key, dir+"/") {
				return nil, 0, newAPIError(CodeResourceNotFound, "The package file %s was not uploaded before CommitUpload.", "/"+key)
			}
			keys, size = append(keys, key), size+info.Size
			if manifest.IsNested(manifestType, file) {
				pending = append(pending, key)
			}
		}
	}
	return keys, size, nil
}
