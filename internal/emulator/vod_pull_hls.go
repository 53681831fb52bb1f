package emulator

import (
	"bufio"
	"bytes"
	"net/url"
	"path"
	"slices"
	"strings"
)

// maxHLSFiles bounds the segments and nested playlists one HLS pull fetches.
const maxHLSFiles = 10000

// fetchHLSSegments fetches what the HLS playlist stored at bucket/playlistKey (pulled from playlistURL)
// lists, next to it under the same relative paths, as VOD does for a pulled HLS stream; a nested playlist
// (a master playlist's variants) is fetched and followed in turn, and a playlist reached twice is not
// followed again. PullUpload documents that segment URIs must be relative and without parameters: any
// other (an absolute URL or path, a query, "..") fails the pull with 40000. It returns the keys it stored.
func (s *Server) fetchHLSSegments(bucket, playlistURL, playlistKey string) ([]string, int, string) {
	var stored []string
	seen := map[string]bool{playlistKey: true}
	queue := []struct{ url, key string }{{playlistURL, playlistKey}}
	for len(queue) > 0 {
		playlist := queue[0]
		queue = queue[1:]
		uris, errCode, message := s.playlistURIs(bucket, playlist.key)
		if errCode != 0 {
			return stored, errCode, message
		}
		base, _ := url.Parse(playlist.url) // parsed when the pull was checked
		for _, uri := range uris {
			relative, ok := relativeSegmentPath(uri)
			if !ok {
				return stored, PullErrInvalidInput, "The HLS playlist `" + playlist.url + "` lists `" + uri +
					"`: segment URIs must be relative paths without parameters."
			}
			key := path.Join(path.Dir(playlist.key), relative)
			if seen[key] {
				continue
			}
			if seen[key] = true; len(seen) > maxHLSFiles {
				return stored, PullErrInvalidInput, "The HLS stream lists more than 10000 files."
			}
			segmentURL := base.ResolveReference(&url.URL{Path: relative}).String()
			if errCode, message := s.fetchObject(segmentURL, bucket, key, nil); errCode != 0 {
				return stored, errCode, message
			}
			stored = append(stored, key)
			if strings.EqualFold(path.Ext(relative), ".m3u8") {
				queue = append(queue, struct{ url, key string }{segmentURL, key})
			}
		}
	}
	return stored, 0, ""
}

// relativeSegmentPath is uri as a clean relative path, or false when it is not one: a URL, an absolute
// path, a query or fragment, or a path that climbs out with "..".
func relativeSegmentPath(uri string) (string, bool) {
	ref, err := url.Parse(uri)
	if err != nil || ref.Scheme != "" || ref.Host != "" || ref.RawQuery != "" || ref.Fragment != "" ||
		ref.Path == "" || strings.HasPrefix(ref.Path, "/") || slices.Contains(strings.Split(ref.Path, "/"), "..") {
		return "", false
	}
	return path.Clean(ref.Path), true
}

// playlistURIs reads the URI lines of the playlist at bucket/key: every line that is neither empty nor
// a tag or comment (starting with "#").
func (s *Server) playlistURIs(bucket, key string) ([]string, int, string) {
	data, ok := s.objects.Object(bucket, key)
	if !ok {
		return nil, PullErrInternalError, "The pulled playlist was lost."
	}
	if !bytes.HasPrefix(bytes.TrimLeft(data, "\ufeff"), []byte("#EXTM3U")) {
		return nil, PullErrSourceFile, "`" + key + "` is not an HLS playlist: it does not start with #EXTM3U."
	}
	var uris []string
	lines := bufio.NewScanner(bytes.NewReader(data))
	for lines.Scan() {
		if line := strings.TrimSpace(lines.Text()); line != "" && !strings.HasPrefix(line, "#") {
			uris = append(uris, line)
		}
	}
	return uris, 0, ""
}
