package vod_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/emulator"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// bulkStart is when the bulk media of these tests begin to be created.
var bulkStart = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// searchAllClient is a client of a fresh emulator holding the media bulk describes.
func searchAllClient(t *testing.T, opts emulator.Options, bulk ...emulator.BulkMedia) (*vod.Client, *emulator.Server, []string) {
	t.Helper()
	srv := startEmulator(t, opts)
	var ids []string
	for _, b := range bulk {
		added, err := srv.AddBulkMedia(b)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, added...)
	}
	cfg := emulatorConfig(t, srv)
	cfg.SecretID, cfg.SecretKey = emulator.DefaultSecretID, emulator.DefaultSecretKey
	c, err := vod.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv, ids
}

// listAll collects what SearchAllMedia returns, failing the test on a FileId returned twice.
func listAll(t *testing.T, c *vod.Client, q vod.SearchAllQuery) ([]vod.MediaInfo, error) {
	t.Helper()
	var got []vod.MediaInfo
	seen := map[string]bool{}
	for info, err := range c.SearchAllMedia(context.Background(), q) {
		if err != nil {
			return got, err
		}
		if seen[info.FileID] {
			t.Fatalf("%s returned twice", info.FileID)
		}
		seen[info.FileID] = true
		got = append(got, *info)
	}
	return got, nil
}

// requireExactly fails unless got holds exactly the media want, in CreateTime order.
func requireExactly(t *testing.T, got []vod.MediaInfo, want []string) {
	t.Helper()
	wanted := map[string]bool{}
	for _, id := range want {
		wanted[id] = true
	}
	last := ""
	for _, info := range got {
		if !wanted[info.FileID] {
			t.Fatalf("%s (%s) is not one of the media listed", info.FileID, info.BasicInfo.Name)
		}
		if info.BasicInfo.CreateTime < last {
			t.Fatalf("%s created at %s came after media of %s", info.FileID, info.BasicInfo.CreateTime, last)
		}
		last = info.BasicInfo.CreateTime
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d media, want %d", len(got), len(want))
	}
}

// More than 5,000 matches: 1,000 one a second, 5,100 in a single second (1,700 of each category, so that
// second splits by category), 500 more; 500 that do not match are left out.
func TestEmulatorSearchAllMedia_listsPastTheWindowExactlyOnce(t *testing.T) {
	t.Parallel()
	c, srv, ids := searchAllClient(t, emulator.Options{},
		emulator.BulkMedia{Count: 1000, Name: "spread-%d", Tags: []string{"keep"}, CreatedFrom: bulkStart},
		emulator.BulkMedia{Count: 5100, Name: "burst-%d", Tags: []string{"keep"}, Categories: []string{"Video", "Audio", "Image"},
			CreatedFrom: bulkStart.Add(time.Hour), PerSecond: 5100},
		emulator.BulkMedia{Count: 500, Name: "late-%d", Tags: []string{"keep"}, CreatedFrom: bulkStart.Add(2 * time.Hour), PerSecond: 7},
	)
	if _, err := srv.AddBulkMedia(emulator.BulkMedia{Count: 500, Name: "other-%d", CreatedFrom: bulkStart.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, err := listAll(t, c, vod.SearchAllQuery{Search: vod.SearchMediaRequest{Tags: []string{"keep"}}})
	if err != nil {
		t.Fatal(err)
	}
	requireExactly(t, got, ids)
	if got[0].MetaData == nil || got[0].TranscodeInfo != nil {
		t.Fatalf("first result %+v: want basic info and metadata only", got[0])
	}
	// The burst second was listed per category; every request stayed within the window.
	splits := 0
	for _, call := range srv.Calls("SearchMedia") {
		if categories, _ := call.Params["Categories"].([]any); len(categories) == 1 {
			splits++
		}
		offset, _ := strconv.Atoi(fmt.Sprint(call.Params["Offset"]))
		limit, _ := strconv.Atoi(fmt.Sprint(call.Params["Limit"]))
		if limit == 0 || offset+limit > vod.MaxSearchResults {
			t.Fatalf("a call asked for Offset %v + Limit %v", offset, limit)
		}
	}
	if splits == 0 {
		t.Fatal("no call searched a single category: the crowded second was not split")
	}

	// A create_time range bounds the listing, half-open.
	window := &vod.TimeRange{After: bulkStart.Add(10 * time.Second), Before: bulkStart.Add(20 * time.Second)}
	got, err = listAll(t, c, vod.SearchAllQuery{Search: vod.SearchMediaRequest{Tags: []string{"keep"}, CreateTime: window}})
	if err != nil {
		t.Fatal(err)
	}
	requireExactly(t, got, ids[10:20])
}

func TestEmulatorSearchAllMedia_stopsAtTheLimit(t *testing.T) {
	t.Parallel()
	c, srv, ids := searchAllClient(t, emulator.Options{}, emulator.BulkMedia{Count: 6000, CreatedFrom: bulkStart})
	got, err := listAll(t, c, vod.SearchAllQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	requireExactly(t, got, ids[:100])
	// The earliest 100 of an overflowing search are its first page: no splitting, no page of 500.
	calls := srv.Calls("SearchMedia")
	if len(calls) != 1 || fmt.Sprint(calls[0].Params["Limit"]) != "100" {
		t.Fatalf("%d SearchMedia calls (first %v), want one asking for 100", len(calls), calls[0].Params)
	}

	// A consumer that stops early stops the calls too: finding the first results of an overflowing search
	// takes its first page, the latest match, and the first page of its earlier half; all of it twelve more.
	before := srv.Attempts("SearchMedia")
	n := 0
	for _, err := range c.SearchAllMedia(context.Background(), vod.SearchAllQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	if calls := srv.Attempts("SearchMedia") - before; calls > 3 {
		t.Fatalf("%d calls to take 3 results", calls)
	}
}

func TestEmulatorSearchAllMedia_refusesWhatCannotBeListed(t *testing.T) {
	t.Parallel()
	c, _, _ := searchAllClient(t, emulator.Options{},
		emulator.BulkMedia{Count: 5001, Name: "crowd-%d", CreatedFrom: bulkStart, PerSecond: 5001},
		emulator.BulkMedia{Count: 10, Name: "calm-%d", CreatedFrom: bulkStart.Add(2 * time.Second)},
	)
	// 5,001 videos in one second: no split can list them.
	_, err := listAll(t, c, vod.SearchAllQuery{})
	if !errors.Is(err, vod.ErrTooManyMatches) || !strings.Contains(err.Error(), "2025-06-01T12:00:00Z") ||
		!strings.Contains(err.Error(), "Video") {
		t.Fatalf("err = %v, want ErrTooManyMatches naming the second and the category", err)
	}
	// By relevance (Names), more than 5,000 matches cannot be paged through...
	_, err = listAll(t, c, vod.SearchAllQuery{Search: vod.SearchMediaRequest{Names: []string{"crowd"}}})
	if !errors.Is(err, vod.ErrTooManyMatches) || !strings.Contains(err.Error(), "relevance") {
		t.Fatalf("err = %v, want ErrTooManyMatches about relevance", err)
	}
	// ...but the most relevant within the window can, and fewer matches list whole.
	if got, err := listAll(t, c, vod.SearchAllQuery{Search: vod.SearchMediaRequest{Names: []string{"crowd"}}, Limit: 700}); err != nil || len(got) != 700 {
		t.Fatalf("limited relevance search: %d results, err %v; want 700", len(got), err)
	}
	if got, err := listAll(t, c, vod.SearchAllQuery{Search: vod.SearchMediaRequest{Names: []string{"calm"}}}); err != nil || len(got) != 10 {
		t.Fatalf("small relevance search: %d results, err %v; want 10", len(got), err)
	}
}

// Throttled and failed calls are retried. The API is also run with CreateTime's Before end included (as
// SearchMedia's documentation has it), so that the split windows overlap by a second: nothing is
// listed twice all the same.
func TestEmulatorSearchAllMedia_retriesAndCancels(t *testing.T) {
	t.Parallel()
	c, srv, ids := searchAllClient(t, emulator.Options{SearchCreateTimeBeforeIncluded: true}, emulator.BulkMedia{Count: 5200, CreatedFrom: bulkStart, PerSecond: 50})
	srv.InjectFault(emulator.Fault{Action: "SearchMedia", Times: 2, Code: "RequestLimitExceeded", Message: "slow down"})
	srv.InjectFault(emulator.Fault{Action: "SearchMedia", Times: 1, HTTPStatus: http.StatusBadGateway})
	got, err := listAll(t, c, vod.SearchAllQuery{WithOutputs: true})
	if err != nil {
		t.Fatal(err)
	}
	requireExactly(t, got, ids)
	if filters, _ := srv.Calls("SearchMedia")[0].Params["Filters"].([]any); len(filters) <= 2 {
		t.Fatalf("Filters %v: WithOutputs asks for the processing outputs too", filters)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range c.SearchAllMedia(ctx, vod.SearchAllQuery{}) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
}

// With CreateTime's Before end included (as SearchMedia's documentation has it), a one-second window also
// returns the next second's media: two crowded seconds in a row, each listable alone, together pass the
// 5,000-result window. The second's own media come first (by CreateTime), so they are listed, not refused.
func TestEmulatorSearchAllMedia_crowdedNextSecondWithBeforeIncluded(t *testing.T) {
	t.Parallel()
	c, srv, ids := searchAllClient(t, emulator.Options{SearchCreateTimeBeforeIncluded: true},
		emulator.BulkMedia{Count: 1500, Name: "first-%d", CreatedFrom: bulkStart, PerSecond: 1500},
		emulator.BulkMedia{Count: 4000, Name: "next-%d", CreatedFrom: bulkStart.Add(time.Second), PerSecond: 4000},
	)
	got, err := listAll(t, c, vod.SearchAllQuery{})
	if err != nil {
		t.Fatal(err)
	}
	requireExactly(t, got, ids)

	// A second that is crowded itself is still refused, by its own time.
	if _, err := srv.AddBulkMedia(emulator.BulkMedia{Count: 5001, CreatedFrom: bulkStart.Add(10 * time.Second), PerSecond: 5001}); err != nil {
		t.Fatal(err)
	}
	_, err = listAll(t, c, vod.SearchAllQuery{})
	if !errors.Is(err, vod.ErrTooManyMatches) || !strings.Contains(err.Error(), "2025-06-01T12:00:10Z") {
		t.Fatalf("err = %v, want ErrTooManyMatches naming 12:00:10", err)
	}
}

// Media created while the listing runs (a CreateTime of now, after every match so far) move no match
// to another page: every match is listed once, whether the search overflows the window or not.
func TestEmulatorSearchAllMedia_mediaCreatedDuringTheListing(t *testing.T) {
	t.Parallel()
	for name, count := range map[string]int{"within the window": 3000, "past the window": 6000} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv, ids := searchAllClient(t, emulator.Options{}, emulator.BulkMedia{Count: count, CreatedFrom: bulkStart, PerSecond: 40})
			wanted := map[string]bool{}
			for _, id := range ids {
				wanted[id] = true
			}
			listed, n := map[string]bool{}, 0
			for info, err := range c.SearchAllMedia(context.Background(), vod.SearchAllQuery{}) {
				if err != nil {
					t.Fatal(err)
				}
				if listed[info.FileID] {
					t.Fatalf("%s listed twice", info.FileID)
				}
				listed[info.FileID] = true
				if n++; n%1000 == 1 { // now and then, while pages are being read, media are uploaded
					if _, err := srv.AddBulkMedia(emulator.BulkMedia{Count: 300, Name: "new-%d", PerSecond: 300}); err != nil {
						t.Fatal(err)
					}
				}
			}
			for id := range wanted {
				if !listed[id] {
					t.Fatalf("%s, created before the listing, was not listed", id)
				}
			}
		})
	}
}

// Media deleted while the listing runs move the later matches to earlier pages (SearchMedia pages by
// Offset): pages overlap, so that a match moved back by a few deletions is still listed, and a match
// moved back further is found by going back further. Only media already listed are deleted here, so
// every match must be listed.
func TestEmulatorSearchAllMedia_mediaDeletedDuringTheListing(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ count, every, deleted int }{
		"a few within the window":   {count: 2000, every: 100, deleted: 3},
		"a few past the window":     {count: 6000, every: 250, deleted: 4},
		"many at once, then a page": {count: 2000, every: 700, deleted: 300},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv, ids := searchAllClient(t, emulator.Options{}, emulator.BulkMedia{Count: tc.count, CreatedFrom: bulkStart, PerSecond: 40})
			var listed []string
			seen := map[string]bool{}
			for info, err := range c.SearchAllMedia(context.Background(), vod.SearchAllQuery{}) {
				if err != nil {
					t.Fatal(err)
				}
				if seen[info.FileID] {
					t.Fatalf("%s listed twice", info.FileID)
				}
				seen[info.FileID] = true
				listed = append(listed, info.FileID)
				if len(listed)%tc.every == 0 { // media listed a moment ago are deleted
					for _, id := range listed[len(listed)-tc.deleted:] {
						srv.RemoveMedia(id)
					}
				}
			}
			for _, id := range ids {
				if !seen[id] {
					t.Fatalf("%s, in place until it was listed, was not listed (%d of %d listed)", id, len(listed), len(ids))
				}
			}
		})
	}
}
