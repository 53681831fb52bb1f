package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAddBulkMedia_overHTTP(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	from := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	spec := `{"count": 6000, "name": "clip-%05d", "categories": ["Video", "Audio", "Image"], "tags": ["bulk"],
		"created_from": "2025-06-01T12:00:00Z", "per_second": 2000}`
	resp, err := http.Post(srv.URL()+"/_emulator/media/bulk", "application/json", strings.NewReader(spec))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reply struct {
		FileIDs []string `json:"file_ids"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST media/bulk: %d, %v", resp.StatusCode, err)
	}
	if len(reply.FileIDs) != 6000 {
		t.Fatalf("%d FileIds, want 6000", len(reply.FileIDs))
	}
	m, ok := srv.MediaFile(reply.FileIDs[2003])
	if !ok || m.Name != "clip-02003" || m.Category != "Image" || m.Type != "jpg" || !m.CreateTime.Equal(from.Add(time.Second)) ||
		m.SubAppID != DefaultSubAppID || len(m.Tags) != 1 {
		t.Fatalf("media 2003 = %+v, want clip-02003, an image created a second after the first", m)
	}

	// SearchMedia sees them: more than 5000 match, so TotalCount stops at 5000; one second holds 2000.
	if all := search(t, srv, map[string]any{"Tags": []string{"bulk"}}); all.TotalCount != maxSearchResults {
		t.Fatalf("TotalCount %d, want the cap %d", all.TotalCount, maxSearchResults)
	}
	second := search(t, srv, map[string]any{"CreateTime": map[string]any{
		"After": from.Add(time.Second).Format(time.RFC3339), "Before": from.Add(2 * time.Second).Format(time.RFC3339)},
		"Categories": []string{"Audio"}, "Limit": 1, "Filters": []string{"basicInfo"}})
	if second.TotalCount != 666 || second.MediaInfoSet[0].BasicInfo.CreateTime != "2025-06-01T12:00:01Z" {
		t.Fatalf("audio of the second second: TotalCount %d, first %+v; want 666", second.TotalCount, second.MediaInfoSet[0].BasicInfo)
	}
	// They describe like uploaded media.
	wantCode(t, vodCall(t, srv, "DescribeMediaInfos", map[string]any{"FileIds": reply.FileIDs[:3]}), "")
}

func TestAddBulkMedia_refusesBadSpecs(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	for spec, want := range map[string]string{
		`{"count": 0}`:                          "count",
		`{"count": 1, "name": "clip"}`:          "integer verb",
		`{"count": 1, "categories": ["Movie"]}`: "Movie",
		`{"count": 1, "sub_app_id": 42}`:        "sub_app_id 42",
		`{"count": 1, "class_id": 99}`:          "class 99",
		`{"count": 1, "colour": "red"}`:         "colour",
		`{"count": 100001}`:                     "count",

		// ModifyMediaInfo's limits: a name of 65 characters (media 10), a tag of 33, 17 tags.
		`{"count": 11, "name": "` + strings.Repeat("n", 63) + `%d"}`:                                  "longer than 64",
		`{"count": 1, "tags": ["` + strings.Repeat("t", 33) + `"]}`:                                   "1 to 32",
		`{"count": 1, "tags": ["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]}`: "at most 16",
	} {
		resp, err := http.Post(srv.URL()+"/_emulator/media/bulk", "application/json", strings.NewReader(spec))
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body.String(), want) {
			t.Errorf("%s: %d %q, want 400 mentioning %q", spec, resp.StatusCode, body.String(), want)
		}
	}
	if n := len(srv.Media()); n != 0 {
		t.Fatalf("%d media created by refused specs", n)
	}
}
