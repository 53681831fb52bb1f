package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestParseProcedure(t *testing.T) {
	t.Parallel()
	got, err := ParseProcedure(" Web = adaptive:10, transcode:100030,snapshot:10,sprite:10:fail ")
	want := Procedure{Name: "Web", Steps: []ProcedureStep{
		{Type: StepAdaptiveDynamicStreaming, Definition: 10}, {Type: StepTranscode, Definition: 100030},
		{Type: StepSnapshotByTimeOffset, Definition: 10}, {Type: StepImageSprites, Definition: 10, Fail: true},
	}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseProcedure = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "Web", "Web=", "=transcode:10", "Web=transcode", "Web=transcode:x", "Web=transcode:0",
		"Web=cover:10", "Web=transcode:10:maybe", "Web=transcode:10,transcode:10", strings.Repeat("n", 21) + "=transcode:10"} {
		if p, err := ParseProcedure(bad); err == nil {
			t.Errorf("ParseProcedure(%q) = %+v, want an error", bad, p)
		}
	}
}

func TestOptions_procedureTemplatesAndNames(t *testing.T) {
	t.Parallel()
	if _, err := Start(Options{ProcedureTemplates: []Procedure{{Name: "Empty"}}}); err == nil {
		t.Fatal("Start accepted a procedure without steps")
	}
	srv, clock, fileID := startTaskServer(t, Options{Procedures: []string{"Named"},
		ProcedureTemplates: []Procedure{{Name: "Sprites", Steps: []ProcedureStep{{Type: StepImageSprites, Definition: 20}}}}})
	named := startTask(t, srv, map[string]any{"ProcedureName": "Named", "FileId": fileID})
	startTask(t, srv, map[string]any{"ProcedureName": "Sprites", "FileId": fileID})
	clock.Advance(taskTestDuration)
	// A name without a definition runs the default procedure's steps.
	if typ, s := subTaskOf(t, describeTask(t, srv, named), 0); typ != StepAdaptiveDynamicStreaming || s.Input.Definition != DefinitionAdaptiveHLS {
		t.Fatalf("Named's first step = %s %+v", typ, s)
	}
	if o := outputsOf(t, srv, fileID); o.ImageSpriteInfo == nil || o.ImageSpriteInfo.ImageSpriteSet[0].Definition != 20 {
		t.Fatalf("Sprites' output = %+v", o.ImageSpriteInfo)
	}
}

func TestAdminRoutes_procedures(t *testing.T) {
	t.Parallel()
	srv, clock, fileID := startTaskServer(t, Options{})
	post := func(path, body string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Post(srv.URL()+path, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		reply, _ := io.ReadAll(resp.Body)
		return resp, string(reply)
	}
	if resp, body := post("/_emulator/procedures", "Broken=transcode"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "TYPE:DEFINITION") {
		t.Fatalf("bad procedure: HTTP %d %s", resp.StatusCode, body)
	}
	if resp, body := post("/_emulator/procedures", "Mobile=transcode:100010,adaptive:10"); resp.StatusCode != http.StatusOK {
		t.Fatalf("add procedure: HTTP %d %s", resp.StatusCode, body)
	}
	resp, body := fetch(t, http.MethodGet, srv.URL()+"/_emulator/procedures", nil)
	var procedures []procedureView
	if err := json.Unmarshal(body, &procedures); resp.StatusCode != http.StatusOK || err != nil ||
		!containsView(procedures, procedureView{Name: "Mobile", Steps: []string{"transcode:100010", "adaptive:10"}}) ||
		!containsView(procedures, procedureView{Name: ProcedureFailing, Steps: []string{"transcode:100010", "adaptive:10:fail"}}) {
		t.Fatalf("GET procedures = %s", body)
	}
	// The new procedure can be used by ApplyUpload and ProcessMediaByProcedure.
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4","Procedure":"Mobile"}`}), "")

	if resp, _ := post("/_emulator/tasks/fail?procedure=NoSuchFlow", ""); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("failing an unknown procedure: HTTP %d", resp.StatusCode)
	}
	if resp, body := post("/_emulator/tasks/fail?procedure=Mobile&count=1", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("tasks/fail: HTTP %d %s", resp.StatusCode, body)
	}
	id := startTask(t, srv, map[string]any{"ProcedureName": "Mobile", "FileId": fileID, "SessionId": "admin"})
	clock.Advance(taskTestDuration)
	resp, body = fetch(t, http.MethodGet, srv.URL()+"/_emulator/tasks", nil)
	var tasks []taskView
	if err := json.Unmarshal(body, &tasks); resp.StatusCode != http.StatusOK || err != nil || len(tasks) != 1 || tasks[0].TaskID != id ||
		tasks[0].Status != TaskFinish || !tasks[0].Failed || tasks[0].SessionID != "admin" ||
		!reflect.DeepEqual(tasks[0].Steps, []string{"transcode:100010:fail", "adaptive:10"}) {
		t.Fatalf("GET tasks = %s", body)
	}
}

func containsView(views []procedureView, want procedureView) bool {
	for _, v := range views {
		if reflect.DeepEqual(v, want) {
			return true
		}
	}
	return false
}
