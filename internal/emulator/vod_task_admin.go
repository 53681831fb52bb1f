package emulator

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// AddProcedure adds a task flow, or replaces the one of the same name (built-in ones included).
func (s *Server) AddProcedure(p Procedure) error { return s.procedures.put(p) }

// Procedures returns every task flow, by name.
func (s *Server) Procedures() []Procedure { return s.procedures.all() }

// FailNextTasks makes the next n tasks of the named task flow fail (their first sub-task ends in FAIL),
// e.g. to test a failed run followed by a successful one; n = 0 cancels.
func (s *Server) FailNextTasks(procedure string, n int) error {
	return s.procedures.failNextTasks(procedure, n)
}

// Tasks returns every processing task of every application, oldest first (its outputs stored if it
// has finished).
func (s *Server) Tasks() []Task {
	s.storeFinishedOutputs()
	return s.tasks.all()
}

type taskView struct {
	TaskID         string    `json:"task_id"`
	Type           string    `json:"type"`
	SubAppID       uint64    `json:"sub_app_id"`
	Procedure      string    `json:"procedure"`
	FileID         string    `json:"file_id"`
	Status         string    `json:"status"`
	Failed         bool      `json:"failed"`
	Steps          []string  `json:"steps"`
	SessionID      string    `json:"session_id,omitempty"`
	SessionContext string    `json:"session_context,omitempty"`
	CreateTime     time.Time `json:"create_time"`
	FinishTime     time.Time `json:"finish_time"`
}

type procedureView struct {
	Name  string   `json:"name"`
	Steps []string `json:"steps"`
}

// maxProcedureSpecBytes bounds the body of POST /_emulator/procedures.
const maxProcedureSpecBytes = 4096

// addTaskRoutes adds the task and task-flow endpoints to the inspection endpoints:
//
//	GET  /_emulator/tasks                          every task, with its state now
//	GET  /_emulator/procedures                     every task flow
//	POST /_emulator/procedures                     body NAME=TYPE:DEFINITION[:fail],... adds or replaces one
//	POST /_emulator/tasks/fail?procedure=NAME&count=N  the next N (default 1) tasks of NAME fail
//	POST /_emulator/pulls/fail?count=N             the next N (default 1) pulls end with ErrCode 70000
func (s *Server) addTaskRoutes(mux *http.ServeMux) {
	s.addPullRoutes(mux)
	mux.HandleFunc("GET "+inspectionPrefix+"tasks", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.taskViews())
	})
	mux.HandleFunc("GET "+inspectionPrefix+"procedures", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, procedureViews(s.Procedures()))
	})
	mux.HandleFunc("POST "+inspectionPrefix+"procedures", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxProcedureSpecBytes))
		if err != nil {
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
			return
		}
		p, err := ParseProcedure(strings.TrimSpace(string(body)))
		if err == nil {
			err = s.AddProcedure(p)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, procedureViews([]Procedure{p})[0])
	})
	mux.HandleFunc("POST "+inspectionPrefix+"tasks/fail", func(w http.ResponseWriter, r *http.Request) {
		name, count, err := parseFailTasks(r)
		if err == nil {
			err = s.FailNextTasks(name, count)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]any{"procedure": name, "failing_tasks": count})
	})
}

func parseFailTasks(r *http.Request) (string, int, error) {
	name := r.URL.Query().Get("procedure")
	if name == "" {
		return "", 0, fmt.Errorf("procedure is required")
	}
	count := 1
	if raw := r.URL.Query().Get("count"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return "", 0, fmt.Errorf("count must be a whole number of tasks, 0 or more")
		}
		count = n
	}
	return name, count, nil
}

func (s *Server) taskViews() []taskView {
	now := s.opts.Clock()
	views := []taskView{}
	for _, t := range s.Tasks() {
		views = append(views, taskView{
			TaskID: t.TaskID, Type: t.taskType(), SubAppID: t.SubAppID, Procedure: t.Procedure, FileID: t.FileID, Status: t.Status(now),
			Failed: t.Failed(), Steps: stepSpecs(t.Steps), SessionID: t.SessionID, SessionContext: t.SessionContext,
			CreateTime: t.CreateTime, FinishTime: t.finishTime(),
		})
	}
	return views
}

func procedureViews(procedures []Procedure) []procedureView {
	views := []procedureView{}
	for _, p := range procedures {
		views = append(views, procedureView{Name: p.Name, Steps: stepSpecs(p.Steps)})
	}
	return views
}

// stepSpecs writes steps as ParseProcedure reads them.
func stepSpecs(steps []ProcedureStep) []string {
	specs := make([]string, 0, len(steps))
	for _, step := range steps {
		spec := stepShortName(step.Type) + ":" + strconv.FormatInt(step.Definition, 10)
		if step.Fail {
			spec += ":fail"
		}
		specs = append(specs, spec)
	}
	return specs
}

func stepShortName(stepType string) string {
	for short, long := range stepShortNames {
		if long == stepType {
			return short
		}
	}
	return stepType
}
