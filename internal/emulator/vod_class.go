package emulator

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Class limits from the CreateClass, ModifyClass and DescribeAllClass documentation.
const (
	maxClassNameChars     = 64
	maxSubclassesPerClass = 500
	// maxClassLevel is the deepest Level. MediaClassInfo.Level counts from 0 ("一级分类为 0，最大值为 3，
	// 即最多允许 4 级分类层次"), so a top-level class is level 0 and a class four deep is level 3. The
	// DescribeAllClass example shows level 2 under a level-0 parent, but the same example swaps Name and
	// ClassName, so the field's own documentation wins.
	maxClassLevel uint64 = 3
	// topLevelParentID is the ParentId of a top-level class.
	topLevelParentID int64 = -1
	// builtInClassID is the "Other" class every application has; media without a class are in it.
	builtInClassID int64 = 0
)

// Class error codes (vod/v20180717/errors.go).
const (
	CodeInvalidClassName        ErrorCode = "InvalidParameterValue.ClassName"
	CodeInvalidParentID         ErrorCode = "InvalidParameterValue.ParentId"
	CodeClassNameDuplicate      ErrorCode = "FailedOperation.ClassNameDuplicate"
	CodeClassLevelLimitExceeded ErrorCode = "FailedOperation.ClassLevelLimitExceeded"
	CodeSubclassLimitExceeded   ErrorCode = "FailedOperation.SubclassLimitExceeded"
	CodeParentIDNoFound         ErrorCode = "FailedOperation.ParentIdNoFound"
	CodeClassNoFound            ErrorCode = "FailedOperation.ClassNoFound"
	CodeClassNotEmpty           ErrorCode = "UnsupportedOperation.ClassNotEmpty"
)

// MediaClass is one media class (category) of an application, as DescribeAllClass reports it.
type MediaClass struct {
	ID       int64
	ParentID int64 // -1 for a top-level class
	Name     string
	Level    uint64 // 0 for a top-level class
	// Subclasses are the IDs of the direct subclasses, oldest first.
	Subclasses []int64
}

func (c MediaClass) clone() MediaClass {
	c.Subclasses = slices.Clone(c.Subclasses)
	return c
}

// classTrees holds the classes of every application. It has no lock of its own: it is part of
// vodStore and guarded by vodStore.mu, so that DeleteClass and the media changes that file media into
// a class (CommitUpload, ModifyMediaInfo) see each other, and no media file ends up in a deleted class.
type classTrees struct {
	byApp map[uint64]map[int64]*MediaClass
	// lastID is the highest class ID handed out in any application: IDs are unique in the account and
	// never reused, as the real service's are.
	lastID int64
}

// seedClasses gives every application the built-in class 0 and, as top-level classes named
// "Class <id>", the classes of Options.ClassIDs; new classes get higher IDs.
func (s *vodStore) seedClasses(subAppIDs []uint64, seeded []int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.classes.byApp = map[uint64]map[int64]*MediaClass{}
	for _, id := range seeded {
		if id < 0 {
			return fmt.Errorf("emulator: ClassIDs has %d; class IDs are positive (0 is the built-in class)", id)
		}
		s.classes.lastID = max(s.classes.lastID, id)
	}
	for _, app := range subAppIDs {
		classes := map[int64]*MediaClass{
			builtInClassID: {ID: builtInClassID, ParentID: topLevelParentID, Name: builtInClassName},
		}
		for _, id := range seeded {
			if id != builtInClassID {
				classes[id] = &MediaClass{ID: id, ParentID: topLevelParentID, Name: "Class " + strconv.FormatInt(id, 10)}
			}
		}
		s.classes.byApp[app] = classes
	}
	return nil
}

// builtInClassName and builtInClassTitle are DescribeAllClass's Name and (deprecated) ClassName of
// class 0, which, unlike every other class, differ.
const (
	builtInClassName  = "SystemDefault"
	builtInClassTitle = "其他"
)

// exists reports whether class id exists in application app; class 0 always does. The caller holds
// vodStore.mu.
func (t *classTrees) exists(app uint64, id int64) bool {
	_, ok := t.byApp[app][id]
	return ok || id == builtInClassID
}

// path returns the names of class id and its ancestors, top-level first; nil if it does not exist.
// The caller holds vodStore.mu.
func (t *classTrees) path(app uint64, id int64) []string {
	var names []string
	for c, ok := t.byApp[app][id]; ok; c, ok = t.byApp[app][c.ParentID] {
		names = append(names, c.Name)
	}
	slices.Reverse(names)
	return names
}

// children returns the IDs of the classes whose parent is parentID (-1: the top-level classes).
func (t *classTrees) children(app uint64, parentID int64) []int64 {
	if parent, ok := t.byApp[app][parentID]; ok {
		return parent.Subclasses
	}
	var ids []int64
	for id, c := range t.byApp[app] {
		if c.ParentID == parentID {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// nameTaken reports whether a class other than except under parentID is already called name.
func (t *classTrees) nameTaken(app uint64, parentID int64, name string, except int64) bool {
	return slices.ContainsFunc(t.children(app, parentID), func(id int64) bool {
		return id != except && t.byApp[app][id].Name == name
	})
}

// classExists reports whether class id exists in application app.
func (s *vodStore) classExists(app uint64, id int64) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.classes.exists(app, id)
}

// allClasses returns the classes of application app by ascending ID (so class 0 first, then in the order
// they were created).
func (s *vodStore) allClasses(app uint64) []MediaClass {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]MediaClass, 0, len(s.classes.byApp[app]))
	for _, id := range slices.Sorted(maps.Keys(s.classes.byApp[app])) {
		out = append(out, s.classes.byApp[app][id].clone())
	}
	return out
}

// classNameAndPath returns what BasicInfo reports for a media file in class id: the class's name and
// its path of names from the top, joined by "-" as MediaBasicInfo.ClassPath documents ("分类间以“-”分隔").
// Both are read at the time of the call, so a renamed class shows its new name.
func (s *vodStore) classNameAndPath(app uint64, id int64) (name, path string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := s.classes.path(app, id)
	if len(names) == 0 {
		return "", ""
	}
	return names[len(names)-1], strings.Join(names, "-")
}

// classesWithin returns ids and every class below them in application app (SearchMedia's ClassIds
// match "the classes and all their subclasses"). IDs that do not exist stay in the result, matching
// nothing.
func (s *vodStore) classesWithin(app uint64, ids []int64) []int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []int64
	pending := slices.Clone(ids)
	for len(pending) > 0 {
		id := pending[0]
		pending = pending[1:]
		if slices.Contains(out, id) {
			continue
		}
		out = append(out, id)
		if c, ok := s.classes.byApp[app][id]; ok {
			pending = append(pending, c.Subclasses...)
		}
	}
	return out
}

// createClass adds class name under parentID (-1: top level) and returns its new ID.
func (s *vodStore) createClass(app uint64, parentID int64, name string) (int64, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	level := uint64(0)
	if parentID != topLevelParentID {
		parent, ok := s.classes.byApp[app][parentID]
		if !ok {
			return 0, newAPIError(CodeParentIDNoFound, "The parent class %d does not exist.", parentID)
		}
		if parent.Level == maxClassLevel {
			return 0, newAPIError(CodeClassLevelLimitExceeded,
				"Class %d is at level %d, the deepest of the %d levels allowed; it cannot have subclasses.",
				parentID, parent.Level, maxClassLevel+1)
		}
		if len(parent.Subclasses) >= maxSubclassesPerClass {
			return 0, newAPIError(CodeSubclassLimitExceeded,
				"Class %d already has %d subclasses, the limit.", parentID, maxSubclassesPerClass)
		}
		level = parent.Level + 1
	}
	if s.classes.nameTaken(app, parentID, name, topLevelParentID) {
		return 0, errClassNameDuplicate(parentID, name)
	}
	s.classes.lastID++
	c := &MediaClass{ID: s.classes.lastID, ParentID: parentID, Name: name, Level: level}
	s.classes.byApp[app][c.ID] = c
	if parent, ok := s.classes.byApp[app][parentID]; ok {
		parent.Subclasses = append(parent.Subclasses, c.ID)
	}
	return c.ID, nil
}

func errClassNameDuplicate(parentID int64, name string) *apiError {
	where := "at the top level"
	if parentID != topLevelParentID {
		where = "under class " + strconv.FormatInt(parentID, 10)
	}
	return newAPIError(CodeClassNameDuplicate, "A class named `%s` already exists %s.", name, where)
}

// errBuiltInClass refuses to change class 0. ModifyClass and DeleteClass both document
// InvalidParameterValue.ClassId ("参数值错误：分类 ID"); ClassNoFound would be wrong, as DescribeAllClass
// lists class 0, and DeleteClass does not document it.
func errBuiltInClass(action string) *apiError {
	return newAPIError(CodeInvalidClassID, "The built-in class 0 cannot be %s.", action)
}

// renameClass gives class id a new name; renaming a class to its current name succeeds.
func (s *vodStore) renameClass(app uint64, id int64, name string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == builtInClassID {
		return errBuiltInClass("renamed")
	}
	c, ok := s.classes.byApp[app][id]
	if !ok {
		return newAPIError(CodeClassNoFound, "The class %d does not exist.", id)
	}
	if s.classes.nameTaken(app, c.ParentID, name, id) {
		return errClassNameDuplicate(c.ParentID, name)
	}
	c.Name = name
	return nil
}

// deleteClass removes class id if it has neither subclasses nor media.
func (s *vodStore) deleteClass(app uint64, id int64) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == builtInClassID {
		return errBuiltInClass("deleted")
	}
	c, ok := s.classes.byApp[app][id]
	if !ok {
		// DeleteClass documents no ClassNoFound; InvalidParameterValue.ClassId is its only class error.
		return newAPIError(CodeInvalidClassID, "The class %d does not exist.", id)
	}
	if len(c.Subclasses) > 0 {
		return newAPIError(CodeClassNotEmpty,
			"Class %d still has %d subclasses; delete them first.", id, len(c.Subclasses))
	}
	if n := s.mediaCountInClass(app, id); n > 0 {
		return newAPIError(CodeClassNotEmpty,
			"Class %d still holds %d media files; move them to another class or delete them first.", id, n)
	}
	delete(s.classes.byApp[app], id)
	if parent, ok := s.classes.byApp[app][c.ParentID]; ok {
		parent.Subclasses = slices.DeleteFunc(parent.Subclasses, func(child int64) bool { return child == id })
	}
	return nil
}

// errClassDeletedBeforeCommit refuses a CommitUpload whose class (checked by ApplyUpload) was deleted
// since. Real VOD's behaviour is not documented; refusing keeps the rule that every media file is in an
// existing class, and is louder than filing the media somewhere it was not sent. The session cannot be
// committed any more (class IDs are never reused): the upload must start again with ApplyUpload.
func errClassDeletedBeforeCommit(classID int64) *apiError {
	return newAPIError(CodeInvalidClassID,
		"The class %d named at ApplyUpload was deleted before CommitUpload; apply for a new upload.", classID)
}

// mediaCountInClass counts the media files of application app in class id. The caller holds s.mu.
func (s *vodStore) mediaCountInClass(app uint64, id int64) int {
	n := 0
	for _, m := range s.media {
		if m.SubAppID == app && m.ClassID == id {
			n++
		}
	}
	return n
}

type createClassRequest struct {
	ParentID  *int64  `json:"ParentId"`
	ClassName *string `json:"ClassName"`
	SubAppID  *uint64 `json:"SubAppId"`
}

type createClassResponse struct {
	ClassID int64 `json:"ClassId"`
}

type describeAllClassRequest struct {
	SubAppID *uint64 `json:"SubAppId"`
}

type describeAllClassResponse struct {
	ClassInfoSet []mediaClassInfo `json:"ClassInfoSet"`
}

// mediaClassInfo is the MediaClassInfo object.
type mediaClassInfo struct {
	ClassID       int64   `json:"ClassId"`
	ParentID      int64   `json:"ParentId"`
	Name          string  `json:"Name"`
	Level         uint64  `json:"Level"`
	SubClassIDSet []int64 `json:"SubClassIdSet"`
	ClassName     string  `json:"ClassName"` // deprecated duplicate of Name
}

type modifyClassRequest struct {
	ClassID   *uint64 `json:"ClassId"`
	ClassName *string `json:"ClassName"`
	SubAppID  *uint64 `json:"SubAppId"`
}

type deleteClassRequest struct {
	ClassID  *int64  `json:"ClassId"`
	SubAppID *uint64 `json:"SubAppId"`
}

// createClass implements CreateClass.
func (s *Server) createClass(call *apiCall) (any, *apiError) {
	var req createClassRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.ParentID == nil {
		return nil, errMissingParameter("ParentId")
	}
	if req.ClassName == nil {
		return nil, errMissingParameter("ClassName")
	}
	app, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkClassName(*req.ClassName); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkParentID(*req.ParentID); apiErr != nil {
		return nil, apiErr
	}
	id, apiErr := s.vod.createClass(app, *req.ParentID, *req.ClassName)
	if apiErr != nil {
		return nil, apiErr
	}
	return createClassResponse{ClassID: id}, nil
}

// checkClassName applies the documented 1-64 characters and, as for media names, refuses control
// characters.
func checkClassName(name string) *apiError {
	if n := utf8.RuneCountInString(name); n < 1 || n > maxClassNameChars {
		return newAPIError(CodeInvalidClassName,
			"ClassName is %d characters long; it must have 1 to %d.", n, maxClassNameChars)
	}
	return checkNoControlCharacters(CodeInvalidClassName, "ClassName", name)
}

// checkParentID allows -1 (a top-level class) and the IDs of classes. The built-in class 0 takes no
// subclasses: it is the "Other" bucket of unfiled media, not a branch of the tree.
func checkParentID(parentID int64) *apiError {
	switch {
	case parentID == builtInClassID:
		return newAPIError(CodeInvalidParentID, "The built-in class 0 cannot have subclasses; use -1 for a top-level class.")
	case parentID < topLevelParentID:
		return newAPIError(CodeInvalidParentID, "ParentId %d is not a class ID; use -1 for a top-level class.", parentID)
	}
	return nil
}

// describeAllClass implements DescribeAllClass: every class of the application, class 0 first, then by
// ascending ID.
func (s *Server) describeAllClass(call *apiCall) (any, *apiError) {
	var req describeAllClassRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	app, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	resp := describeAllClassResponse{ClassInfoSet: []mediaClassInfo{}}
	for _, c := range s.vod.allClasses(app) {
		resp.ClassInfoSet = append(resp.ClassInfoSet, classInfoOf(c))
	}
	return resp, nil
}

func classInfoOf(c MediaClass) mediaClassInfo {
	info := mediaClassInfo{ClassID: c.ID, ParentID: c.ParentID, Name: c.Name, Level: c.Level,
		SubClassIDSet: slices.Clone(c.Subclasses), ClassName: c.Name}
	if info.SubClassIDSet == nil {
		info.SubClassIDSet = []int64{}
	}
	if c.ID == builtInClassID {
		info.ClassName = builtInClassTitle
	}
	return info
}

// modifyClass implements ModifyClass (a rename; classes do not move).
func (s *Server) modifyClass(call *apiCall) (any, *apiError) {
	var req modifyClassRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.ClassID == nil {
		return nil, errMissingParameter("ClassId")
	}
	if req.ClassName == nil {
		return nil, errMissingParameter("ClassName")
	}
	app, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkClassName(*req.ClassName); apiErr != nil {
		return nil, apiErr
	}
	if *req.ClassID > math.MaxInt64 { // class IDs are int64 everywhere else
		return nil, newAPIError(CodeClassNoFound, "The class %d does not exist.", *req.ClassID)
	}
	if apiErr := s.vod.renameClass(app, int64(*req.ClassID), *req.ClassName); apiErr != nil {
		return nil, apiErr
	}
	return struct{}{}, nil
}

// deleteClass implements DeleteClass: only a class without subclasses and media can go.
func (s *Server) deleteClass(call *apiCall) (any, *apiError) {
	var req deleteClassRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.ClassID == nil {
		return nil, errMissingParameter("ClassId")
	}
	app, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	s.purgeExpiredMedia() // expired media no longer hold their class
	if apiErr := s.vod.deleteClass(app, *req.ClassID); apiErr != nil {
		return nil, apiErr
	}
	return struct{}{}, nil
}

// Classes returns the classes of application subAppID (class 0 first, then by ascending ID), for
// assertions; out-of-band changes go through the API like a console's would.
func (s *Server) Classes(subAppID uint64) []MediaClass { return s.vod.allClasses(subAppID) }

// classView is one class in GET /_emulator/classes.
type classView struct {
	SubAppID   uint64  `json:"sub_app_id"`
	ClassID    int64   `json:"class_id"`
	ParentID   int64   `json:"parent_id"`
	Name       string  `json:"name"`
	Level      uint64  `json:"level"`
	Path       string  `json:"path"`
	Subclasses []int64 `json:"subclasses"`
}

// classViews lists the classes of every application, in the order of Options.SubAppIDs.
func (s *Server) classViews() []classView {
	views := []classView{}
	for _, app := range s.opts.SubAppIDs {
		for _, c := range s.Classes(app) {
			_, path := s.vod.classNameAndPath(app, c.ID)
			subclasses := c.Subclasses
			if subclasses == nil {
				subclasses = []int64{}
			}
			views = append(views, classView{SubAppID: app, ClassID: c.ID, ParentID: c.ParentID, Name: c.Name,
				Level: c.Level, Path: path, Subclasses: subclasses})
		}
	}
	return views
}
