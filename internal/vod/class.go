package vod

import (
	"context"
	"errors"
	"fmt"
)

// Class hierarchy limits: at most four levels below the root, 500 subclasses per class, and names of
// 1 to 64 characters.
const (
	MaxClassLevels     = 4
	MaxSubclasses      = 500
	MaxClassNameLength = 64
	// TopLevelParentID is the ParentId of a class at the top of the tree.
	TopLevelParentID int64 = -1
	// DefaultClassID is the built-in class ("SystemDefault") that every application has and that holds
	// media filed nowhere else. It cannot be changed or deleted.
	DefaultClassID int64 = 0
)

// ErrClassNotFound matches the error of ModifyClass or DeleteClass for a class that does not exist.
var ErrClassNotFound = errors.New("class not found")

// ErrClassNotEmpty matches the error of DeleteClass for a class that still holds media or subclasses.
var ErrClassNotEmpty = errors.New("class not empty")

// ClassInfo is one class of an application's tree, as DescribeAllClass lists it.
type ClassInfo struct {
	ClassID       int64   `json:"ClassId"`
	ParentID      int64   `json:"ParentId"` // TopLevelParentID at the top
	Name          string  `json:"Name"`
	Level         int64   `json:"Level"`
	SubClassIDSet []int64 `json:"SubClassIdSet"`
}

// CreateClassRequest is CreateClass's input.
type CreateClassRequest struct {
	ParentID  int64   `json:"ParentId"` // TopLevelParentID for a top-level class
	ClassName string  `json:"ClassName"`
	SubAppID  *uint64 `json:"SubAppId,omitempty"` // nil = the client's default sub-application
}

// CreateClassResponse is CreateClass's output.
type CreateClassResponse struct {
	ClassID   int64  `json:"ClassId"`
	RequestID string `json:"RequestId"`
}

func (r *CreateClassResponse) getRequestID() string { return r.RequestID }

// codeClassNameDuplicate is the class actions' answer to a name already used under the same parent.
const codeClassNameDuplicate = "FailedOperation.ClassNameDuplicate"

// CreateClass creates a class under req.ParentID.
//
// An attempt that got no reply (or a 5xx, or InternalError) is sent again: names are unique under a
// parent, so a repeat cannot create a second class, it is refused with ClassNameDuplicate. When an
// attempt may have created the class and none returned its id, the class is looked up by parent and name
// (DescribeAllClass) and its id returned. A name that is already taken when the first attempt arrives
// stays an error: the class was made by someone else.
func (c *Client) CreateClass(ctx context.Context, req *CreateClassRequest) (*CreateClassResponse, error) {
	const action = "CreateClass"
	if req == nil || req.ClassName == "" {
		return nil, missingParameter(action, "ClassName")
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	var history attemptHistory
	var resp envelope[CreateClassResponse]
	err := c.callObserved(ctx, vodService, c.settings.vodEndpoint, action, params, &resp, c.credentialsFor, history.record)
	if err == nil {
		out := resp.Response
		return &out, nil
	}
	if history.uncertain == nil {
		return nil, err
	}
	return c.findCreatedClass(ctx, req, err)
}

// findCreatedClass looks for the class an attempt of CreateClass may have created without its reply
// arriving. err is CreateClass's final error, returned when no such class exists.
func (c *Client) findCreatedClass(ctx context.Context, req *CreateClassRequest, err error) (*CreateClassResponse, error) {
	all, listErr := c.DescribeAllClass(ctx, req.SubAppID)
	if listErr != nil {
		return nil, fmt.Errorf("%w; looking up whether an attempt whose reply was lost created the class failed: %w", err, listErr)
	}
	for _, class := range all.ClassInfoSet {
		if class.ParentID == req.ParentID && class.Name == req.ClassName {
			c.logger.Info(ctx, "vod: found the class an attempt whose reply was lost created", map[string]any{
				"action": "CreateClass", "class_id": class.ClassID, "request_id": all.RequestID,
			})
			return &CreateClassResponse{ClassID: class.ClassID, RequestID: all.RequestID}, nil
		}
	}
	if ErrorCode(err) == codeClassNameDuplicate {
		return nil, fmt.Errorf("CreateClass: a retry after a lost reply was refused as a duplicate name, yet no class %q "+
			"exists under parent %d (RequestId: %s): %w", req.ClassName, req.ParentID, all.RequestID, err)
	}
	return nil, err
}

type describeAllClassRequest struct {
	SubAppID *uint64 `json:"SubAppId,omitempty"`
}

// DescribeAllClassResponse is DescribeAllClass's output: every class of the application, the built-in
// DefaultClassID included.
type DescribeAllClassResponse struct {
	ClassInfoSet []ClassInfo `json:"ClassInfoSet"`
	RequestID    string      `json:"RequestId"`
}

func (r *DescribeAllClassResponse) getRequestID() string { return r.RequestID }

// DescribeAllClass lists every class of an application (nil = the client's default sub-application).
func (c *Client) DescribeAllClass(ctx context.Context, subAppID *uint64) (*DescribeAllClassResponse, error) {
	return callVOD[DescribeAllClassResponse](ctx, c, "DescribeAllClass",
		describeAllClassRequest{SubAppID: c.defaultSubAppID(subAppID)})
}

// ModifyClassRequest is ModifyClass's input: it renames a class.
type ModifyClassRequest struct {
	ClassID   int64   `json:"ClassId"`
	ClassName string  `json:"ClassName"`
	SubAppID  *uint64 `json:"SubAppId,omitempty"`
}

type classChangeResponse struct {
	RequestID string `json:"RequestId"`
}

func (r *classChangeResponse) getRequestID() string { return r.RequestID }

// ModifyClass renames a class. A class that does not exist gives an error matching ErrClassNotFound.
//
// An attempt that got no reply is sent again: a rename sets a name, so doing it twice leaves the same
// state as once. Should VOD refuse the repeat as ClassNameDuplicate (the class already has that name,
// which the API does not say it allows), the rename is confirmed with DescribeAllClass instead.
func (c *Client) ModifyClass(ctx context.Context, req *ModifyClassRequest) error {
	const action = "ModifyClass"
	if req == nil || req.ClassName == "" {
		return missingParameter(action, "ClassName")
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	var history attemptHistory
	var resp envelope[classChangeResponse]
	err := c.callObserved(ctx, vodService, c.settings.vodEndpoint, action, params, &resp, c.credentialsFor, history.record)
	if err != nil && history.uncertain != nil && ErrorCode(err) == codeClassNameDuplicate && c.hasName(ctx, req) {
		return nil // an attempt whose reply was lost renamed the class
	}
	return asClassError(err)
}

// hasName reports whether class req.ClassID is already called req.ClassName (false when that cannot
// be read).
func (c *Client) hasName(ctx context.Context, req *ModifyClassRequest) bool {
	all, err := c.DescribeAllClass(ctx, req.SubAppID)
	if err != nil {
		return false
	}
	for _, class := range all.ClassInfoSet {
		if class.ClassID == req.ClassID {
			return class.Name == req.ClassName
		}
	}
	return false
}

// DeleteClassRequest is DeleteClass's input.
type DeleteClassRequest struct {
	ClassID  int64   `json:"ClassId"`
	SubAppID *uint64 `json:"SubAppId,omitempty"`
}

// DeleteClass deletes an empty class. A class that does not exist gives an error matching
// ErrClassNotFound; one that still holds media or subclasses, ErrClassNotEmpty.
func (c *Client) DeleteClass(ctx context.Context, req *DeleteClassRequest) error {
	if req == nil {
		return missingParameter("DeleteClass", "ClassId")
	}
	if req.ClassID == DefaultClassID {
		// VOD refuses it with the code it uses for a class that does not exist, which would read as
		// "already gone".
		return &APIError{Action: "DeleteClass", Code: "ClientError.InvalidParameter",
			Message: "ClassId 0 is the built-in class SystemDefault, which cannot be deleted"}
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	_, err := callVOD[classChangeResponse](ctx, c, "DeleteClass", params)
	return asClassError(err)
}

// classError is an *APIError that also matches ErrClassNotFound or ErrClassNotEmpty.
type classError struct {
	apiErr *APIError
	kind   error
}

func (e *classError) Error() string   { return e.apiErr.Error() }
func (e *classError) Unwrap() []error { return []error{e.kind, e.apiErr} }

// asClassError makes the class actions' "no such class" and "not empty" answers match ErrClassNotFound
// and ErrClassNotEmpty; other errors pass through. DeleteClass has no ClassNoFound: it answers an
// unknown class with InvalidParameterValue.ClassId.
func asClassError(err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	switch {
	case apiErr.HasCode("FailedOperation.ClassNoFound"), apiErr.HasCode("ResourceNotFound"),
		apiErr.Action == "DeleteClass" && apiErr.Code == "InvalidParameterValue.ClassId":
		return &classError{apiErr: apiErr, kind: ErrClassNotFound}
	case apiErr.HasCode("UnsupportedOperation.ClassNotEmpty"):
		return &classError{apiErr: apiErr, kind: ErrClassNotEmpty}
	}
	return err
}
