package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The object store's multipart uploads in progress, and a control to take the object store down for a
// while, for scripts that run the emulator as a process (the outage benchmark): tests in Go use
// ObjectStore().Outage and PendingUploads directly.

type pendingUploadView struct {
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	UploadID  string    `json:"upload_id"`
	Parts     int       `json:"parts"`
	Initiated time.Time `json:"initiated"`
}

type uploadsView struct {
	// Pending are the multipart uploads neither completed nor aborted.
	Pending []pendingUploadView `json:"pending"`
	// PartsStored counts every part body the store accepted, parts sent again included.
	PartsStored int64 `json:"parts_stored"`
}

type outageView struct {
	Until  time.Time `json:"until"`
	Status int       `json:"status,omitempty"`
}

// maxOutage bounds an outage asked for over HTTP, so that a typo does not take the store down for good.
const maxOutage = time.Hour

// addObjectStoreRoutes adds GET uploads and POST outage to the inspection endpoints.
func (s *Server) addObjectStoreRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+inspectionPrefix+"uploads", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.uploadsView())
	})
	// POST /_emulator/outage?seconds=N[&status=503]: every object-store request fails for N seconds
	// (with that HTTP status, or by a connection reset without a reply when status is absent or 0),
	// then the store recovers by itself. The VOD API stays up.
	mux.HandleFunc("POST "+inspectionPrefix+"outage", func(w http.ResponseWriter, r *http.Request) {
		d, status, err := parseOutage(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.objects.Outage(d, status)
		writeJSON(w, outageView{Until: time.Now().Add(d).UTC(), Status: status})
	})
}

func parseOutage(r *http.Request) (time.Duration, int, error) {
	seconds, err := strconv.ParseFloat(r.URL.Query().Get("seconds"), 64)
	if err != nil || seconds <= 0 || seconds > maxOutage.Seconds() {
		return 0, 0, fmt.Errorf("seconds must be a number above 0 and at most %.0f", maxOutage.Seconds())
	}
	status := 0
	if raw := r.URL.Query().Get("status"); raw != "" {
		status, err = strconv.Atoi(raw)
		if err != nil || (status != 0 && (status < 400 || status > 599)) {
			return 0, 0, fmt.Errorf("status must be an HTTP error status (400-599), or 0 for a connection reset")
		}
	}
	return time.Duration(seconds * float64(time.Second)), status, nil
}

func (s *Server) uploadsView() uploadsView {
	view := uploadsView{Pending: []pendingUploadView{}, PartsStored: s.objects.PartsStored()}
	for _, u := range s.objects.PendingUploads() {
		view.Pending = append(view.Pending, pendingUploadView{
			Bucket: u.Bucket, Key: u.Key, UploadID: u.UploadID, Parts: u.Parts, Initiated: u.Initiated,
		})
	}
	return view
}
