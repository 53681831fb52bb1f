package emulator

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

type searchReply struct {
	TotalCount   int
	MediaInfoSet []struct {
		FileId    string
		BasicInfo *struct {
			Name        string
			StoragePath string
			CreateTime  string
		}
		MetaData *struct{ Size int64 }
	}
}

func search(t *testing.T, srv *Server, params map[string]any) searchReply {
	t.Helper()
	reply := vodCall(t, srv, "SearchMedia", params)
	wantCode(t, reply, "")
	var r searchReply
	reply.decode(t, &r)
	return r
}

func (r searchReply) names() []string {
	var names []string
	for _, m := range r.MediaInfoSet {
		names = append(names, m.BasicInfo.Name)
	}
	return names
}

// seedSearchMedia uploads media named as given, one minute apart, and returns the FileIds by name.
func seedSearchMedia(t *testing.T, srv *Server, clock *fakeClock, applyBodies ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, body := range applyBodies {
		_, c := uploadMedia(t, srv, body)
		m, _ := srv.MediaFile(c.FileId)
		ids[m.Name] = c.FileId
		clock.Advance(time.Minute)
	}
	return ids
}

func TestSearchMedia_filters(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, ClassIDs: []int64{7}, SubAppIDs: []uint64{DefaultSubAppID, DefaultSubAppID + 1}})
	start := clock.Now()
	ids := seedSearchMedia(t, srv, clock,
		`{"MediaType":"mp4","MediaName":"Holiday clip"}`,
		`{"MediaType":"mp3","MediaName":"holiday song","ClassId":7}`,
		`{"MediaType":"mp4","MediaName":"Trailer","StorageRegion":"ap-shanghai"}`,
		`{"MediaType":"mp4","MediaName":"Holiday clip (2)","SubAppId":1500000001}`,
	)
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": ids["Trailer"], "Description": "the holiday trailer",
		"AddTags": []string{"promo"}}), "")

	cases := []struct {
		name   string
		params map[string]any
		want   []string
	}{
		{"everything, newest first", map[string]any{}, []string{"Trailer", "holiday song", "Holiday clip"}},
		{"names are fuzzy and ranked", map[string]any{"Names": []string{"holiday clip"}}, []string{"Holiday clip"}},
		{"names match any", map[string]any{"Names": []string{"song", "trail"}}, []string{"Trailer", "holiday song"}},
		{"prefixes are case-sensitive", map[string]any{"NamePrefixes": []string{"Holi"}}, []string{"Holiday clip"}},
		{"descriptions", map[string]any{"Descriptions": []string{"HOLIDAY"}}, []string{"Trailer"}},
		// Trailer is the newest, but only its description matches: relevance ranks it last.
		{"text searches names and descriptions, by relevance", map[string]any{"Text": "holiday", "Sort": map[string]any{"Field": "CreateTime", "Order": "Desc"}},
			[]string{"holiday song", "Holiday clip", "Trailer"}},
		{"file ids", map[string]any{"FileIds": []string{ids["Trailer"], "1"}}, []string{"Trailer"}},
		{"class", map[string]any{"ClassIds": []int64{7}}, []string{"holiday song"}},
		{"tags", map[string]any{"Tags": []string{"promo", "other"}}, []string{"Trailer"}},
		{"categories", map[string]any{"Categories": []string{"Audio"}}, []string{"holiday song"}},
		{"media types", map[string]any{"MediaTypes": []string{"MP3"}}, []string{"holiday song"}},
		{"storage regions", map[string]any{"StorageRegions": []string{"ap-shanghai"}}, []string{"Trailer"}},
		{"source types", map[string]any{"SourceTypes": []string{"Record"}}, nil},
		{"status", map[string]any{"Status": []string{"Normal"}}, []string{"Trailer", "holiday song", "Holiday clip"}},
		{"stream ids never match uploads", map[string]any{"StreamIds": []string{"s1"}}, nil},
		{"create time: After included, Before excluded", map[string]any{"CreateTime": map[string]any{
			"After": start.Add(time.Minute).Format(time.RFC3339), "Before": start.Add(2 * time.Minute).Format(time.RFC3339)}},
			[]string{"holiday song"}},
		{"deprecated StartTime fills an open end", map[string]any{"StartTime": start.Add(time.Minute).Format(time.RFC3339)},
			[]string{"Trailer", "holiday song"}},
		{"conditions combine with AND", map[string]any{"Names": []string{"holiday"}, "Categories": []string{"Video"}},
			[]string{"Holiday clip"}},
		{"another application", map[string]any{"SubAppId": DefaultSubAppID + 1}, []string{"Holiday clip (2)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := search(t, srv, tc.params)
			if fmt.Sprint(got.names()) != fmt.Sprint(tc.want) || got.TotalCount != len(tc.want) {
				t.Fatalf("got %q (TotalCount %d), want %q", got.names(), got.TotalCount, tc.want)
			}
		})
	}

	// Results carry the same MediaInfo as DescribeMediaInfos, including the storage path.
	got := search(t, srv, map[string]any{"FileIds": []string{ids["Trailer"]}, "Filters": []string{"basicInfo"}})
	m, _ := srv.MediaFile(ids["Trailer"])
	if info := got.MediaInfoSet[0]; info.FileId != ids["Trailer"] || info.BasicInfo.StoragePath != "/"+m.MediaKey || info.MetaData != nil {
		t.Fatalf("MediaInfo = %+v, want the basic info of %s only", info, ids["Trailer"])
	}
}

func TestSearchMedia_pagingAndLimits(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now})
	// Stored directly: 5001 uploads over HTTP would make the test slow for no gain.
	for i := range maxSearchResults + 1 {
		srv.vod.mu.Lock()
		m := MediaFile{FileID: fmt.Sprintf("%019d", 1000000000000000000+i), SubAppID: DefaultSubAppID,
			Name: fmt.Sprintf("clip %04d", i), Category: "Video", Type: "mp4", CreateTime: clock.Now().Add(time.Duration(i) * time.Second)}
		srv.vod.media = append(srv.vod.media, &m)
		srv.vod.mediaByID[m.FileID] = &m
		srv.vod.mu.Unlock()
	}

	first := search(t, srv, map[string]any{})
	if first.TotalCount != maxSearchResults || len(first.MediaInfoSet) != defaultSearchLimit || first.names()[0] != "clip 5000" {
		t.Fatalf("default page: TotalCount %d, %d results starting %q; want 5000 (capped), 10, newest first",
			first.TotalCount, len(first.MediaInfoSet), first.names()[0])
	}
	asc := search(t, srv, map[string]any{"Sort": map[string]any{"Field": "CreateTime", "Order": "Asc"}, "Offset": 4990, "Limit": 10})
	if names := asc.names(); len(names) != 10 || names[0] != "clip 4990" || names[9] != "clip 4999" {
		t.Fatalf("last page ascending = %q", names)
	}

	bad := map[string]struct {
		params map[string]any
		code   ErrorCode
		text   string
	}{
		"past the window":    {map[string]any{"Offset": 4995, "Limit": 10}, CodeInvalidParameterValue, "Offset + Limit"},
		"limit too large":    {map[string]any{"Limit": 5001}, CodeInvalidParameterValue, "Offset + Limit"},
		"too many names":     {map[string]any{"Names": strings.Split("a b c d e f g h i j k", " ")}, CodeInvalidParameterValue, "Names has 11"},
		"tag too long":       {map[string]any{"Tags": []string{strings.Repeat("t", 33)}}, CodeInvalidParameterValue, "Tags.0"},
		"unknown category":   {map[string]any{"Categories": []string{"Movie"}}, CodeInvalidParameterValue, "Categories.0"},
		"sort field":         {map[string]any{"Sort": map[string]any{"Field": "Name", "Order": "Asc"}}, CodeInvalidParameterValue, "Sort.Field"},
		"sort order":         {map[string]any{"Sort": map[string]any{"Field": "CreateTime", "Order": "Up"}}, CodeInvalidParameterValue, "Sort.Order"},
		"bad time":           {map[string]any{"CreateTime": map[string]any{"After": "yesterday"}}, CodeInvalidParameterValue, "CreateTime.After"},
		"empty window":       {map[string]any{"CreateTime": map[string]any{"After": "2026-01-02T00:00:00Z", "Before": "2026-01-01T00:00:00Z"}}, CodeInvalidParameterValue, "earlier"},
		"bad filter":         {map[string]any{"Filters": []string{"everything"}}, CodeInvalidFilters, "Filters.0"},
		"unknown parameter":  {map[string]any{"Title": "x"}, CodeUnknownParameter, "Title"},
		"negative offset":    {map[string]any{"Offset": -1}, CodeInvalidParameter, "Offset"},
		"unknown sub-app id": {map[string]any{"SubAppId": 42}, CodeInvalidSubAppID, ""},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			reply := vodCall(t, srv, "SearchMedia", tc.params)
			wantCode(t, reply, tc.code)
			if !strings.Contains(reply.Message, tc.text) {
				t.Fatalf("message %q does not mention %q", reply.Message, tc.text)
			}
		})
	}
}

// SearchMedia's documentation says CreateTime includes both ends, the TimeRange object's that Before is
// excluded: the emulator follows the latter unless told otherwise.
func TestSearchMedia_createTimeBeforeIncludedOption(t *testing.T) {
	t.Parallel()
	from := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	window := map[string]any{"CreateTime": map[string]any{
		"After": from.Format(time.RFC3339), "Before": from.Add(2 * time.Second).Format(time.RFC3339)}}
	for included, want := range map[bool]int{false: 2, true: 3} {
		srv := startTestServer(t, Options{SearchCreateTimeBeforeIncluded: included})
		if _, err := srv.AddBulkMedia(BulkMedia{Count: 4, CreatedFrom: from}); err != nil {
			t.Fatal(err)
		}
		if got := search(t, srv, window).TotalCount; got != want {
			t.Errorf("Before included %v: %d media in [After, Before], want %d", included, got, want)
		}
	}
}
