package vod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The request carries only what was set, times as whole RFC 3339 seconds that cover the range asked
// for, and the client's sub-application.
func TestSearchMediaRequestOnTheWire(t *testing.T) {
	t.Parallel()
	api := sequence(t, func(w http.ResponseWriter, _ apiCall) {
		writeOK(w, "req-search", map[string]any{"TotalCount": 1, "MediaInfoSet": []any{
			map[string]any{"FileId": "111", "BasicInfo": map[string]any{"Name": "clip", "StoragePath": "/a/f0.mp4"}},
		}})
	})
	cfg := testConfig(t, api.URL())
	cfg.SubAppID = 1500000001
	c := mustClient(t, cfg)
	after := time.Date(2026, 1, 2, 3, 4, 5, 600e6, time.FixedZone("CST", 8*3600))
	resp, err := c.SearchMedia(context.Background(), &SearchMediaRequest{
		Names:      []string{"clip"},
		CreateTime: &TimeRange{After: after, Before: after.Add(time.Minute)},
		ExpireTime: &TimeRange{Before: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		Sort:       &SortBy{Field: "CreateTime", Order: "Asc"},
		Offset:     20,
		Limit:      50,
	})
	if err != nil || resp.TotalCount != 1 || resp.MediaInfoSet[0].BasicInfo.StoragePath != "/a/f0.mp4" || resp.RequestID != "req-search" {
		t.Fatalf("resp %+v err %v", resp, err)
	}
	want := `{"Names":["clip"],"CreateTime":{"After":"2026-01-01T19:04:05Z","Before":"2026-01-01T19:05:06Z"},` +
		`"ExpireTime":{"Before":"2030-01-01T00:00:00Z"},"Sort":{"Field":"CreateTime","Order":"Asc"},"Offset":20,"Limit":50,` +
		`"SubAppId":1500000001}`
	if got := api.Calls()[0]; got.Action != "SearchMedia" || got.RawBody != want {
		t.Errorf("sent %s %s\nwant %s", got.Action, got.RawBody, want)
	}
}

// Offset + Limit past the 5000-result window is refused before any call.
func TestSearchMediaWindowIsCheckedFirst(t *testing.T) {
	t.Parallel()
	api := sequence(t, func(w http.ResponseWriter, _ apiCall) { writeOK(w, "r", map[string]any{"TotalCount": 0}) })
	c := mustClient(t, testConfig(t, api.URL()))
	for _, req := range []*SearchMediaRequest{{Offset: 4995}, {Offset: 10, Limit: 4991}, {Offset: 6000, Limit: 1}} {
		_, err := c.SearchMedia(context.Background(), req)
		if ErrorCode(err) != "ClientError.InvalidParameter" || !strings.Contains(err.Error(), "5000") {
			t.Errorf("SearchMedia(offset %d, limit %d) err = %v", req.Offset, req.Limit, err)
		}
	}
	if _, err := c.SearchMedia(context.Background(), &SearchMediaRequest{Offset: 4990}); err != nil {
		t.Errorf("the last default page was refused: %v", err)
	}
	if n := len(api.Calls()); n != 1 {
		t.Errorf("%d calls, want only the valid one", n)
	}
}

// SearchMedia changes nothing, so a failure after which it may have run is retried.
func TestSearchMediaIsRetried(t *testing.T) {
	t.Parallel()
	api := sequence(t, dropped(t), func(w http.ResponseWriter, _ apiCall) { writeOK(w, "r", map[string]any{"TotalCount": 0}) })
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	if _, err := c.SearchMedia(context.Background(), nil); err != nil || len(api.Calls()) != 2 {
		t.Fatalf("err %v after %d calls", err, len(api.Calls()))
	}
}

// FindUploadedMedia pages through the matches until one has the storage path, and stops at the last
// match.
func TestFindUploadedMediaPages(t *testing.T) {
	t.Parallel()
	page := func(offset, n int, total int, match string) map[string]any {
		var infos []any
		for i := range n {
			path := fmt.Sprintf("/other/%d/f0.mp4", offset+i)
			if i == n-1 && match != "" {
				path = match
			}
			infos = append(infos, map[string]any{"FileId": fmt.Sprint(1000 + offset + i), "BasicInfo": map[string]any{"StoragePath": path}})
		}
		return map[string]any{"TotalCount": total, "MediaInfoSet": infos}
	}
	t.Run("found on the second page", func(t *testing.T) {
		t.Parallel()
		api := sequence(t,
			func(w http.ResponseWriter, _ apiCall) { writeOK(w, "r1", page(0, 100, 150, "")) },
			func(w http.ResponseWriter, _ apiCall) { writeOK(w, "r2", page(100, 50, 150, "wanted/f0.mp4")) },
		)
		c := mustClient(t, testConfig(t, api.URL()))
		info, err := c.FindUploadedMedia(context.Background(), UploadedMediaQuery{StoragePath: "/wanted/f0.mp4", Name: "clip"})
		if err != nil || info.FileID != "1149" {
			t.Fatalf("info %+v err %v", info, err)
		}
		var second struct {
			Names         []string
			Offset, Limit int
			Filters       []string
		}
		_ = json.Unmarshal([]byte(api.Calls()[1].RawBody), &second)
		if second.Offset != 100 || second.Limit != 100 || fmt.Sprint(second.Names) != "[clip]" || fmt.Sprint(second.Filters) != "[basicInfo metaData]" {
			t.Errorf("second page asked for %s", api.Calls()[1].RawBody)
		}
	})
	t.Run("no match", func(t *testing.T) {
		t.Parallel()
		api := sequence(t,
			func(w http.ResponseWriter, _ apiCall) { writeOK(w, "r1", page(0, 100, 120, "")) },
			func(w http.ResponseWriter, _ apiCall) { writeOK(w, "r2", page(100, 20, 120, "")) },
		)
		c := mustClient(t, testConfig(t, api.URL()))
		_, err := c.FindUploadedMedia(context.Background(), UploadedMediaQuery{StoragePath: "/wanted/f0.mp4"})
		if !errors.Is(err, ErrMediaNotFound) || len(api.Calls()) != 2 {
			t.Fatalf("err %v after %d calls, want ErrMediaNotFound after both pages", err, len(api.Calls()))
		}
		if body := api.Calls()[0].RawBody; strings.Contains(body, `"CreateTime":{`) || strings.Contains(body, `"Names"`) {
			t.Errorf("a query without a window or name sent %s", body)
		}
	})
	t.Run("media without basic info are skipped", func(t *testing.T) {
		t.Parallel()
		api := sequence(t, func(w http.ResponseWriter, _ apiCall) {
			writeOK(w, "r1", map[string]any{"TotalCount": 3, "MediaInfoSet": []any{
				map[string]any{"FileId": "1"},
				map[string]any{"FileId": "2", "BasicInfo": nil},
				map[string]any{"FileId": "3", "BasicInfo": map[string]any{"StoragePath": "/wanted/f0.mp4"}},
			}})
		})
		c := mustClient(t, testConfig(t, api.URL()))
		info, err := c.FindUploadedMedia(context.Background(), UploadedMediaQuery{StoragePath: "/wanted/f0.mp4"})
		if err != nil || info.FileID != "3" {
			t.Fatalf("info %+v err %v, want the third media", info, err)
		}
	})
	t.Run("an empty page ends the search", func(t *testing.T) {
		t.Parallel()
		// TotalCount promises more than the page holds: the search must stop, not ask again for ever.
		api := sequence(t, func(w http.ResponseWriter, _ apiCall) {
			writeOK(w, "r1", map[string]any{"TotalCount": 50, "MediaInfoSet": []any{}})
		})
		c := mustClient(t, testConfig(t, api.URL()))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a search that loops ends here
		defer cancel()
		_, err := c.FindUploadedMedia(ctx, UploadedMediaQuery{StoragePath: "/wanted/f0.mp4"})
		if !errors.Is(err, ErrMediaNotFound) || len(api.Calls()) != 1 {
			t.Fatalf("err %v after %d calls, want ErrMediaNotFound after one", err, len(api.Calls()))
		}
	})
}
