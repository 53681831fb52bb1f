package emulator

import (
	"net/http"
	"strings"
)

// serveMedia answers GET and HEAD /_media/<bucket>/<key> without a signature, for objects that belong
// to a media file (its media or its cover), like the CDN domain of a VOD application. Anything else,
// including the objects of deleted or expired media, is 404. Ranges and conditional requests work as
// with any static file server.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, mediaPrefix), "/")
	if !ok || bucket == "" || key == "" {
		http.NotFound(w, r)
		return
	}
	s.purgeExpiredMedia()
	if !s.vod.servesObject(bucket, key) {
		if !s.serveOutputFile(w, r, bucket, key) {
			http.NotFound(w, r)
		}
		return
	}
	info, body, ok := s.objects.OpenObject(bucket, key)
	if !ok {
		http.NotFound(w, r) // e.g. the original file was deleted with DeleteParts
		return
	}
	defer body.Close()
	if info.Attrs.ContentType != "" {
		w.Header().Set("Content-Type", info.Attrs.ContentType)
	}
	if info.ETag != "" {
		w.Header().Set("ETag", info.ETag)
	}
	http.ServeContent(w, r, key, info.LastModified, body)
}
