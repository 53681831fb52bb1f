package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// writeEnvelope is the only place that encodes a Tencent Cloud API 3.0 reply. The API always answers
// HTTP 200: the SDKs turn any other status into ClientError.HttpStatusCodeError, so errors travel in
// Response.Error. payload must encode to a JSON object (or be nil); RequestId is added to it.
func writeEnvelope(w http.ResponseWriter, requestID string, payload any, apiErr *apiError) {
	body, err := envelopeBody(requestID, payload, apiErr)
	if err != nil {
		// A handler returned something that is not a JSON object: a bug in the emulator, reported as such.
		body, _ = envelopeBody(requestID, nil, newAPIError(CodeInternalError, "emulator could not encode the response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func envelopeBody(requestID string, payload any, apiErr *apiError) ([]byte, error) {
	fields := map[string]json.RawMessage{}
	if apiErr != nil {
		encoded, err := json.Marshal(struct {
			Code    ErrorCode `json:"Code"`
			Message string    `json:"Message"`
		}{apiErr.Code, apiErr.Message})
		if err != nil {
			return nil, err
		}
		fields["Error"] = encoded
	} else if payload != nil {
		encoded, err := json.Marshal(payload)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(encoded, &fields); err != nil {
			return nil, err
		}
	}
	encodedID, _ := json.Marshal(requestID)
	fields["RequestId"] = encodedID
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"Response": fields}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeJSON answers 200 with plain JSON, for the metadata service and the inspection endpoints.
func writeJSON(w http.ResponseWriter, value any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(value)
}
