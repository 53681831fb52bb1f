package vod

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

var classNameDuplicate = apiError("FailedOperation.ClassNameDuplicate", "class name already exists")

func classCreated(id int64) func(w http.ResponseWriter, _ apiCall) {
	return ok(map[string]any{"ClassId": id})
}

// classTree is a DescribeAllClass answer in which "Trailers" exists twice: at the top and under class 7.
var classTree = ok(map[string]any{"ClassInfoSet": []map[string]any{
	{"ClassId": 0, "ParentId": -1, "Name": "SystemDefault", "Level": 0},
	{"ClassId": 7, "ParentId": -1, "Name": "Films", "Level": 1, "SubClassIdSet": []int64{12}},
	{"ClassId": 11, "ParentId": -1, "Name": "Trailers", "Level": 1},
	{"ClassId": 12, "ParentId": 7, "Name": "Trailers", "Level": 2},
}})

func TestCreateClassLostReplyThenDuplicateFindsTheClass(t *testing.T) {
	t.Parallel()
	for name, first := range map[string]func(w http.ResponseWriter, call apiCall){
		"dropped connection": dropped(t),
		"bad gateway":        badGateway,
		"internal error":     apiError("InternalError", "oops"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := scriptedByAction(t, actionScript{
				"CreateClass":      {first, classNameDuplicate},
				"DescribeAllClass": {classTree},
			})
			c := mustClient(t, testConfig(t, api.URL()))
			instantRetries(c)
			resp, err := c.CreateClass(context.Background(), &CreateClassRequest{ParentID: 7, ClassName: "Trailers"})
			if err != nil || resp.ClassID != 12 {
				t.Fatalf("CreateClass = %+v, %v; want class 12, the Trailers under 7", resp, err)
			}
			if got := strings.Join(actions(api.Calls()), ","); got != "CreateClass,CreateClass,DescribeAllClass" {
				t.Errorf("calls = %s", got)
			}
		})
	}
}

// A retry that gets through returns the new class; nothing is looked up.
func TestCreateClassLostReplyThenCreated(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"CreateClass": {dropped(t), classCreated(21)}})
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	resp, err := c.CreateClass(context.Background(), &CreateClassRequest{ParentID: TopLevelParentID, ClassName: "New"})
	if err != nil || resp.ClassID != 21 || len(api.Calls()) != 2 {
		t.Fatalf("CreateClass = %+v, %v after %d calls", resp, err, len(api.Calls()))
	}
}

// A name already taken when the first attempt arrives is the user's mistake, not a lost reply.
func TestCreateClassDuplicateOnFirstAttemptIsAnError(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"CreateClass": {classNameDuplicate}})
	c := mustClient(t, testConfig(t, api.URL()))
	_, err := c.CreateClass(context.Background(), &CreateClassRequest{ParentID: 7, ClassName: "Trailers"})
	if ErrorCode(err) != "FailedOperation.ClassNameDuplicate" || len(api.Calls()) != 1 {
		t.Fatalf("err = %v after %d calls, want the duplicate answer and no look-up", err, len(api.Calls()))
	}
}

// A duplicate after a lost reply, with no such class in the tree, is explained.
func TestCreateClassLostReplyThenDuplicateWithoutClass(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{
		"CreateClass":      {dropped(t), classNameDuplicate},
		"DescribeAllClass": {classTree},
	})
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	_, err := c.CreateClass(context.Background(), &CreateClassRequest{ParentID: 11, ClassName: "Trailers"})
	if ErrorCode(err) != "FailedOperation.ClassNameDuplicate" || !strings.Contains(err.Error(), `yet no class "Trailers" exists under parent 11`) {
		t.Fatalf("err = %v", err)
	}
}

// When every attempt's reply is lost, the class is looked up before the failure is reported.
func TestCreateClassUnknownOutcomeAtTheEnd(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		req    CreateClassRequest
		wantID int64
	}{
		{"created", CreateClassRequest{ParentID: TopLevelParentID, ClassName: "Trailers"}, 11},
		{"not created", CreateClassRequest{ParentID: TopLevelParentID, ClassName: "Shorts"}, -1},
	} {
		api := scriptedByAction(t, actionScript{"CreateClass": {badGateway}, "DescribeAllClass": {classTree}})
		cfg := testConfig(t, api.URL())
		retries := int64(1)
		cfg.MaxRetries = &retries
		c := mustClient(t, cfg)
		instantRetries(c)
		resp, err := c.CreateClass(context.Background(), &tt.req)
		switch {
		case tt.wantID >= 0 && (err != nil || resp.ClassID != tt.wantID):
			t.Errorf("%s: CreateClass = %+v, %v", tt.name, resp, err)
		case tt.wantID < 0 && ErrorCode(err) != CodeParseJSONError:
			t.Errorf("%s: err = %v, want the last attempt's", tt.name, err)
		}
	}
}

// The look-up asks the application the class was created in, even when that is "no sub-application"
// on a client that has a default one.
func TestCreateClassLooksUpInTheSameApplication(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{
		"CreateClass":      {dropped(t), classNameDuplicate},
		"DescribeAllClass": {classTree},
	})
	cfg := testConfig(t, api.URL())
	cfg.SubAppID = 1500000001
	c := mustClient(t, cfg)
	instantRetries(c)
	if _, err := c.CreateClass(context.Background(), &CreateClassRequest{ParentID: 7, ClassName: "Trailers", SubAppID: WithoutSubAppID()}); err != nil {
		t.Fatal(err)
	}
	for _, call := range api.Calls() {
		if _, sent := params(t, call)["SubAppId"]; sent {
			t.Errorf("%s sent SubAppId: %s", call.Action, call.RawBody)
		}
	}
}

func TestCreateClassLookUpFailureIsReported(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{
		"CreateClass":      {dropped(t), classNameDuplicate},
		"DescribeAllClass": {apiError("UnauthorizedOperation", "not allowed")},
	})
	c := mustClient(t, testConfig(t, api.URL()))
	instantRetries(c)
	_, err := c.CreateClass(context.Background(), &CreateClassRequest{ParentID: 7, ClassName: "Trailers"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "FailedOperation.ClassNameDuplicate" || !strings.Contains(err.Error(), "UnauthorizedOperation") {
		t.Fatalf("err = %v", err)
	}
}

// DeleteClass answers an unknown class with InvalidParameterValue.ClassId (it has no ClassNoFound).
func TestDeleteClassUnknownClassIsNotFound(t *testing.T) {
	t.Parallel()
	api := scriptedByAction(t, actionScript{"DeleteClass": {apiError("InvalidParameterValue.ClassId", "class does not exist")}})
	c := mustClient(t, testConfig(t, api.URL()))
	err := c.DeleteClass(context.Background(), &DeleteClassRequest{ClassID: 42})
	if !errors.Is(err, ErrClassNotFound) || ErrorCode(err) != "InvalidParameterValue.ClassId" || !strings.Contains(err.Error(), "RequestId: req-InvalidParameterValue.ClassId") {
		t.Fatalf("err = %v", err)
	}
}

// The built-in class is refused before any call: VOD's answer would look like "already deleted".
func TestDeleteClassRefusesTheBuiltInClass(t *testing.T) {
	t.Parallel()
	c := mustClient(t, testConfig(t, "http://127.0.0.1:1")) // never contacted
	err := c.DeleteClass(context.Background(), &DeleteClassRequest{ClassID: DefaultClassID})
	if ErrorCode(err) != "ClientError.InvalidParameter" || errors.Is(err, ErrClassNotFound) || !strings.Contains(err.Error(), "built-in class") {
		t.Fatalf("err = %v", err)
	}
}

// A rename whose reply is lost is sent again. Should VOD refuse the repeat because the class already has
// the name, the rename is confirmed from the class tree; a name another class has stays an error.
func TestModifyClassLostReplyThenDuplicate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		first   func(w http.ResponseWriter, call apiCall)
		classID int64
		wantErr bool
		calls   string
	}{
		{"renamed by the lost attempt", dropped(t), 11, false, "ModifyClass,ModifyClass,DescribeAllClass"},
		{"taken by another class", dropped(t), 7, true, "ModifyClass,ModifyClass,DescribeAllClass"},
		{"duplicate at the first attempt", classNameDuplicate, 11, true, "ModifyClass"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := scriptedByAction(t, actionScript{
				"ModifyClass":      {tt.first, classNameDuplicate},
				"DescribeAllClass": {classTree},
			})
			c := mustClient(t, testConfig(t, api.URL()))
			instantRetries(c)
			err := c.ModifyClass(context.Background(), &ModifyClassRequest{ClassID: tt.classID, ClassName: "Trailers"})
			if (err != nil) != tt.wantErr || (err != nil && ErrorCode(err) != "FailedOperation.ClassNameDuplicate") {
				t.Errorf("ModifyClass = %v, want error: %v", err, tt.wantErr)
			}
			if got := strings.Join(actions(api.Calls()), ","); got != tt.calls {
				t.Errorf("calls = %s, want %s", got, tt.calls)
			}
		})
	}
}
