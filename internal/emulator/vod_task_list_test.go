package emulator

import (
	"testing"
	"time"
)

type taskList struct {
	TaskSet     []taskSimpleInfo
	ScrollToken string
}

func listTasks(t *testing.T, srv *Server, params map[string]any) taskList {
	t.Helper()
	reply := vodCall(t, srv, "DescribeTasks", params)
	wantCode(t, reply, "")
	var l taskList
	reply.decode(t, &l)
	if l.TaskSet == nil {
		t.Fatal("TaskSet is null, want a list")
	}
	return l
}

func taskIDs(l taskList) []string {
	var ids []string
	for _, t := range l.TaskSet {
		ids = append(ids, t.TaskID)
	}
	return ids
}

func equalIDs(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestDescribeTasks_filtersSortAndFields(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	_, other := uploadMedia(t, srv, `{"MediaType":"mp4"}`)
	start := clock.Now()
	a := startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID, "SessionId": "a", "SessionContext": "ctx-a"})
	clock.Advance(2 * time.Second) // a: PROCESSING
	b := startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": other.FileId})
	clock.Advance(3 * time.Second) // a: FINISH at start+4s; b: PROCESSING
	c := startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})
	// c: WAITING

	if got := taskIDs(listTasks(t, srv, map[string]any{})); !equalIDs(got, []string{c, b, a}) {
		t.Fatalf("default order = %v, want newest first", got)
	}
	first := listTasks(t, srv, map[string]any{"Status": TaskFinish}).TaskSet
	if len(first) != 1 || first[0] != (taskSimpleInfo{TaskID: a, Status: TaskFinish, FileID: fileID, TaskType: "Procedure",
		CreateTime: start.UTC().Format(vodTimeLayout), BeginProcessTime: start.Add(time.Second).UTC().Format(vodTimeLayout),
		FinishTime: start.Add(4 * time.Second).UTC().Format(vodTimeLayout), SessionID: "a", SessionContext: "ctx-a"}) {
		t.Fatalf("finished tasks = %+v", first)
	}
	for _, tc := range []struct {
		name   string
		params map[string]any
		want   []string
	}{
		{"processing", map[string]any{"Status": TaskProcessing}, []string{b}},
		{"waiting", map[string]any{"Status": TaskWaiting}, []string{c}},
		{"by file", map[string]any{"FileId": fileID}, []string{c, a}},
		{"created in a window", map[string]any{"CreateTime": map[string]any{
			"After": start.Add(time.Second).Format(time.RFC3339), "Before": start.Add(5 * time.Second).Format(time.RFC3339)}}, []string{b}},
		{"finished in a window", map[string]any{"FinishTime": map[string]any{"After": start.Format(time.RFC3339)}}, []string{a}},
		{"ascending", map[string]any{"Sort": map[string]any{"Field": "CreateTime", "Order": "Asc"}}, []string{a, b, c}},
		{"by finish time", map[string]any{"Sort": map[string]any{"Field": "FinishTime", "Order": "Asc"}}, []string{a, b, c}},
		{"other application", map[string]any{"SubAppId": 1500000001}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := taskIDs(listTasks(t, srv, tc.params)); !equalIDs(got, tc.want) {
				t.Fatalf("tasks = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDescribeTasks_pagingAndWindow(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	var all []string
	for range 12 {
		all = append([]string{startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID})}, all...)
		clock.Advance(time.Second)
	}
	page := listTasks(t, srv, map[string]any{})
	if !equalIDs(taskIDs(page), all[:10]) || page.ScrollToken != all[10] {
		t.Fatalf("first page = %v, token %q; want the newest 10 and the 11th's id", taskIDs(page), page.ScrollToken)
	}
	page = listTasks(t, srv, map[string]any{"ScrollToken": page.ScrollToken})
	if !equalIDs(taskIDs(page), all[10:]) || page.ScrollToken != "" {
		t.Fatalf("last page = %v, token %q", taskIDs(page), page.ScrollToken)
	}
	if page = listTasks(t, srv, map[string]any{"Limit": 5}); len(page.TaskSet) != 5 || page.ScrollToken != all[5] {
		t.Fatalf("Limit 5 = %v, token %q", taskIDs(page), page.ScrollToken)
	}
	if page = listTasks(t, srv, map[string]any{"Limit": 100}); len(page.TaskSet) != 12 || page.ScrollToken != "" {
		t.Fatalf("Limit 100 = %v", taskIDs(page))
	}
	// Only the last 72 hours are listed: the oldest task (created 12s before now) drops out first.
	clock.Advance(72*time.Hour - 11*time.Second)
	if page = listTasks(t, srv, map[string]any{"Limit": 100}); !equalIDs(taskIDs(page), all[:11]) {
		t.Fatalf("after 72h = %v, want all but the oldest", taskIDs(page))
	}
}

func TestDescribeTasks_validation(t *testing.T) {
	t.Parallel()
	srv, _, _ := startTaskServer(t, Options{})
	for _, tc := range []struct {
		name   string
		params map[string]any
		want   ErrorCode
	}{
		{"status", map[string]any{"Status": "ABORTED"}, CodeInvalidParameterValue},
		{"limit 0", map[string]any{"Limit": 0}, CodeInvalidParameterValue},
		{"limit 101", map[string]any{"Limit": 101}, CodeInvalidParameterValue},
		{"negative limit", map[string]any{"Limit": -1}, CodeInvalidParameter},
		{"sort field", map[string]any{"Sort": map[string]any{"Field": "Name", "Order": "Asc"}}, CodeInvalidParameterValue},
		{"sort order", map[string]any{"Sort": map[string]any{"Field": "CreateTime", "Order": "Up"}}, CodeInvalidParameterValue},
		{"time", map[string]any{"CreateTime": map[string]any{"After": "yesterday"}}, CodeInvalidParameterValue},
		{"scroll token", map[string]any{"ScrollToken": "1500000000-procedurev2-00"}, CodeInvalidParameterValue},
		{"unknown parameter", map[string]any{"Offset": 1}, CodeUnknownParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, vodCall(t, srv, "DescribeTasks", tc.params), tc.want)
		})
	}
}

func TestDescribeTasks_scrollTokenSurvivesItsTaskChangingState(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	var ids []string // oldest first
	for range 3 {
		ids = append(ids, startTask(t, srv, map[string]any{"ProcedureName": ProcedureStreaming, "FileId": fileID}))
		clock.Advance(time.Second)
	}
	clock.Advance(500 * time.Millisecond) // 3.5s, 2.5s and 1.5s old: all PROCESSING
	page := listTasks(t, srv, map[string]any{"Status": TaskProcessing, "Limit": 1})
	if !equalIDs(taskIDs(page), ids[2:]) || page.ScrollToken != ids[1] {
		t.Fatalf("first page = %v, token %q", taskIDs(page), page.ScrollToken)
	}
	// The oldest finishes, then the token's task: the listing goes on past them.
	clock.Advance(2 * time.Second)
	page = listTasks(t, srv, map[string]any{"Status": TaskProcessing, "Limit": 1, "ScrollToken": page.ScrollToken})
	if len(page.TaskSet) != 0 || page.ScrollToken != "" {
		t.Fatalf("next page = %v, token %q; want an empty last page", taskIDs(page), page.ScrollToken)
	}
}
