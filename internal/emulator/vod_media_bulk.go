package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxBulkMedia bounds one AddBulkMedia call: enough for tests of listings past SearchMedia's 5,000-result
// window, small enough that a typo cannot exhaust memory.
const MaxBulkMedia = 100_000

// BulkMedia describes many media files created at once, without uploads, so that tests of listings with
// thousands of matches run in seconds. Media i (from 0) is named fmt.Sprintf(Name, i) and created at
// CreatedFrom + (i / PerSecond) seconds, so PerSecond media share each second of creation time.
type BulkMedia struct {
	Count    int    `json:"count"`
	SubAppID uint64 `json:"sub_app_id"` // 0: the default application
	// Name is a format with one integer verb, e.g. "clip-%05d" (default "bulk-%d"); names are at most
	// 64 characters.
	Name string `json:"name"`
	// Categories are given to the media in turn (default Video); Type follows: mp4, mp3 or jpg.
	Categories  []string  `json:"categories"`
	ClassID     int64     `json:"class_id"`
	Tags        []string  `json:"tags"`         // at most 16, each 1 to 32 characters
	CreatedFrom time.Time `json:"created_from"` // default: the emulator's now
	PerSecond   int       `json:"per_second"`   // default 1
}

// bulkMediaTypes is the media type of each category's bulk media.
var bulkMediaTypes = map[string]string{"Video": "mp4", "Audio": "mp3", "Image": "jpg"}

// AddBulkMedia creates b.Count media files as b describes and returns their FileIds in creation order.
func (s *Server) AddBulkMedia(b BulkMedia) ([]string, error) {
	if err := s.completeBulkMedia(&b); err != nil {
		return nil, err
	}
	media := make([]MediaFile, b.Count)
	for i := range media {
		category := b.Categories[i%len(b.Categories)]
		created := b.CreatedFrom.Add(time.Duration(i/b.PerSecond) * time.Second)
		media[i] = MediaFile{
			SubAppID:      b.SubAppID,
			Name:          fmt.Sprintf(b.Name, i),
			ClassID:       b.ClassID,
			Type:          bulkMediaTypes[category],
			Category:      category,
			StorageRegion: s.opts.DefaultStorageRegion,
			Bucket:        fmt.Sprintf("bulk-%d", b.SubAppID),
			Size:          1024,
			Tags:          slices.Clone(b.Tags),
			CreateTime:    created,
			UpdateTime:    created,
		}
	}
	return s.vod.addMedia(media, func(m *MediaFile) {
		m.MediaKey = fmt.Sprintf("bulk/%s.%s", m.FileID, m.Type)
		m.MediaURL = s.mediaURL(m.Bucket, m.MediaKey)
	}), nil
}

// completeBulkMedia checks b and fills in its defaults.
func (s *Server) completeBulkMedia(b *BulkMedia) error {
	if b.Count < 1 || b.Count > MaxBulkMedia {
		return fmt.Errorf("count must be between 1 and %d, got %d", MaxBulkMedia, b.Count)
	}
	if b.SubAppID == 0 {
		b.SubAppID = s.opts.SubAppIDs[0]
	} else if !knownSubApp(s.opts.SubAppIDs, b.SubAppID) {
		return fmt.Errorf("sub_app_id %d is not one of the account's applications", b.SubAppID)
	}
	if b.Name == "" {
		b.Name = "bulk-%d"
	}
	if strings.Contains(fmt.Sprintf(b.Name, 1), "%!") {
		return fmt.Errorf("name %q must hold one integer verb such as %%d or %%05d", b.Name)
	}
	// Media names and tags keep the limits ModifyMediaInfo enforces: tests list what VOD could hold.
	if last := fmt.Sprintf(b.Name, b.Count-1); utf8.RuneCountInString(last) > maxMediaNameChars {
		return fmt.Errorf("name %q is longer than %d characters", last, maxMediaNameChars)
	}
	if len(b.Tags) > maxTagsPerMedia {
		return fmt.Errorf("%d tags: a media file can have at most %d", len(b.Tags), maxTagsPerMedia)
	}
	for _, tag := range b.Tags {
		if n := utf8.RuneCountInString(tag); n < 1 || n > maxTagChars {
			return fmt.Errorf("tag %q must be 1 to %d characters long", tag, maxTagChars)
		}
	}
	if len(b.Categories) == 0 {
		b.Categories = []string{"Video"}
	}
	for _, c := range b.Categories {
		if bulkMediaTypes[c] == "" {
			return fmt.Errorf("category %q is not one of Video, Audio, Image", c)
		}
	}
	if !s.vod.classExists(b.SubAppID, b.ClassID) {
		return fmt.Errorf("class %d does not exist in application %d", b.ClassID, b.SubAppID)
	}
	if b.CreatedFrom.IsZero() {
		b.CreatedFrom = s.opts.Clock()
	}
	b.CreatedFrom = b.CreatedFrom.UTC().Truncate(time.Second)
	if b.PerSecond < 1 {
		b.PerSecond = 1
	}
	return nil
}

// addMedia stores media under fresh FileIds; complete fills what depends on the FileId.
func (s *vodStore) addMedia(media []MediaFile, complete func(*MediaFile)) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(media))
	for _, m := range media {
		m.FileID = s.unusedFileID()
		complete(&m)
		stored := m.clone()
		s.media = append(s.media, &stored)
		s.mediaByID[m.FileID] = &stored
		ids = append(ids, m.FileID)
	}
	return ids
}

// maxBulkMediaSpecBytes bounds the body of POST /_emulator/media/bulk.
const maxBulkMediaSpecBytes = 4096

// addBulkMediaRoute adds POST /_emulator/media/bulk: a JSON BulkMedia body creates the media, and the
// reply lists their FileIds.
func (s *Server) addBulkMediaRoute(mux *http.ServeMux) {
	mux.HandleFunc("POST "+inspectionPrefix+"media/bulk", func(w http.ResponseWriter, r *http.Request) {
		var spec BulkMedia
		decoder := json.NewDecoder(io.LimitReader(r.Body, maxBulkMediaSpecBytes))
		decoder.DisallowUnknownFields()
		if err := decoder.Decode(&spec); err != nil {
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
			return
		}
		ids, err := s.AddBulkMedia(spec)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]any{"file_ids": ids})
	})
}
