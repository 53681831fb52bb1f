package emulator

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const otherSubAppID = DefaultSubAppID + 1

// createClass calls CreateClass and fails the test unless it succeeds; params may add SubAppId.
func createClass(t *testing.T, srv *Server, parentID int64, name string, params ...map[string]any) int64 {
	t.Helper()
	body := map[string]any{"ParentId": parentID, "ClassName": name}
	for _, p := range params {
		for k, v := range p {
			body[k] = v
		}
	}
	reply := vodCall(t, srv, "CreateClass", body)
	wantCode(t, reply, "")
	var created struct{ ClassId int64 }
	reply.decode(t, &created)
	return created.ClassId
}

type classInfoReply struct {
	ClassId       int64
	ParentId      int64
	Name          string
	ClassName     string
	Level         uint64
	SubClassIdSet []int64
}

// describeClasses calls DescribeAllClass (params may name SubAppId) and returns ClassInfoSet.
func describeClasses(t *testing.T, srv *Server, params map[string]any) []classInfoReply {
	t.Helper()
	reply := vodCall(t, srv, "DescribeAllClass", params)
	wantCode(t, reply, "")
	var got struct{ ClassInfoSet []classInfoReply }
	reply.decode(t, &got)
	return got.ClassInfoSet
}

func findClass(t *testing.T, classes []classInfoReply, id int64) classInfoReply {
	t.Helper()
	i := slices.IndexFunc(classes, func(c classInfoReply) bool { return c.ClassId == id })
	if i < 0 {
		t.Fatalf("class %d is not in %+v", id, classes)
	}
	return classes[i]
}

// basicInfo describes one media file and returns its BasicInfo.
func basicInfo(t *testing.T, srv *Server, fileID string) mediaBasicInfo {
	t.Helper()
	reply := vodCall(t, srv, "DescribeMediaInfos", map[string]any{"FileIds": []string{fileID}})
	wantCode(t, reply, "")
	var got struct {
		MediaInfoSet []struct{ BasicInfo mediaBasicInfo }
	}
	reply.decode(t, &got)
	if len(got.MediaInfoSet) != 1 {
		t.Fatalf("DescribeMediaInfos(%s) = %+v", fileID, got)
	}
	return got.MediaInfoSet[0].BasicInfo
}

func TestDescribeAllClass_builtInClassInEveryApplication(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{SubAppIDs: []uint64{DefaultSubAppID, otherSubAppID}})
	want := `{"ClassInfoSet":[{"ClassId":0,"ParentId":-1,"Name":"SystemDefault","Level":0,"SubClassIdSet":[],"ClassName":"其他"}],`
	for _, params := range []map[string]any{{}, {"SubAppId": otherSubAppID}} {
		reply := vodCall(t, srv, "DescribeAllClass", params)
		wantCode(t, reply, "")
		raw, _ := json.Marshal(reply.Fields)
		if !strings.HasPrefix(string(raw), want) {
			t.Fatalf("DescribeAllClass(%v) = %s, want the built-in class only", params, raw)
		}
	}
}

func TestDescribeAllClass_seededClassIDs(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{ClassIDs: []int64{7, 3}, SubAppIDs: []uint64{DefaultSubAppID, otherSubAppID}})
	for _, app := range []uint64{DefaultSubAppID, otherSubAppID} {
		classes := describeClasses(t, srv, map[string]any{"SubAppId": app})
		if ids := classIDs(classes); !slices.Equal(ids, []int64{0, 3, 7}) {
			t.Fatalf("application %d: class ids = %v, want [0 3 7]", app, ids)
		}
		if c := findClass(t, classes, 7); c.Name != "Class 7" || c.ParentId != -1 || c.Level != 0 {
			t.Fatalf("seeded class = %+v", c)
		}
	}
	// New classes are numbered after the seeded ones.
	if id := createClass(t, srv, -1, "new"); id <= 7 {
		t.Fatalf("new class id %d collides with the seeded range", id)
	}
	if _, err := Start(Options{ClassIDs: []int64{-4}}); err == nil || !strings.Contains(err.Error(), "ClassIDs") {
		t.Fatalf("Start with a negative class id: %v", err)
	}
}

func classIDs(classes []classInfoReply) []int64 {
	var ids []int64
	for _, c := range classes {
		ids = append(ids, c.ClassId)
	}
	return ids
}

func TestCreateClass_buildsATree(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	films := createClass(t, srv, -1, "Films")
	action := createClass(t, srv, films, "Action")
	drama := createClass(t, srv, films, "Drama")
	heist := createClass(t, srv, action, "Heist")
	music := createClass(t, srv, -1, "Music")

	classes := describeClasses(t, srv, map[string]any{})
	if ids := classIDs(classes); !slices.Equal(ids, []int64{0, films, action, drama, heist, music}) {
		t.Fatalf("order = %v, want class 0 then by creation", ids)
	}
	for _, want := range []classInfoReply{
		{ClassId: films, ParentId: -1, Name: "Films", ClassName: "Films", Level: 0, SubClassIdSet: []int64{action, drama}},
		{ClassId: action, ParentId: films, Name: "Action", ClassName: "Action", Level: 1, SubClassIdSet: []int64{heist}},
		{ClassId: drama, ParentId: films, Name: "Drama", ClassName: "Drama", Level: 1, SubClassIdSet: []int64{}},
		{ClassId: heist, ParentId: action, Name: "Heist", ClassName: "Heist", Level: 2, SubClassIdSet: []int64{}},
		{ClassId: music, ParentId: -1, Name: "Music", ClassName: "Music", Level: 0, SubClassIdSet: []int64{}},
	} {
		got := findClass(t, classes, want.ClassId)
		if got.ParentId != want.ParentId || got.Name != want.Name || got.ClassName != want.ClassName ||
			got.Level != want.Level || !slices.Equal(got.SubClassIdSet, want.SubClassIdSet) || got.SubClassIdSet == nil {
			t.Errorf("class %d = %+v, want %+v", want.ClassId, got, want)
		}
	}
}

func TestCreateClass_rejectsBadRequests(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{SubAppIDs: []uint64{DefaultSubAppID, otherSubAppID}})
	films := createClass(t, srv, -1, "Films")
	createClass(t, srv, films, "Action")
	for _, tc := range []struct {
		name   string
		params map[string]any
		want   ErrorCode
	}{
		{"no ParentId", map[string]any{"ClassName": "x"}, CodeMissingParameter},
		{"no ClassName", map[string]any{"ParentId": -1}, CodeMissingParameter},
		{"mistyped parameter", map[string]any{"ParentId": -1, "Classname": "x"}, CodeUnknownParameter},
		{"ParentId as a string", map[string]any{"ParentId": "-1", "ClassName": "x"}, CodeInvalidParameter},
		{"unknown SubAppId", map[string]any{"ParentId": -1, "ClassName": "x", "SubAppId": 42}, CodeInvalidSubAppID},
		{"empty name", map[string]any{"ParentId": -1, "ClassName": ""}, CodeInvalidClassName},
		{"65 characters", map[string]any{"ParentId": -1, "ClassName": strings.Repeat("分", 65)}, CodeInvalidClassName},
		{"control character", map[string]any{"ParentId": -1, "ClassName": "a\nb"}, CodeInvalidClassName},
		{"ParentId below -1", map[string]any{"ParentId": -2, "ClassName": "x"}, CodeInvalidParentID},
		{"under the built-in class", map[string]any{"ParentId": 0, "ClassName": "x"}, CodeInvalidParentID},
		{"missing parent", map[string]any{"ParentId": films + 100, "ClassName": "x"}, CodeParentIDNoFound},
		{"parent in another application", map[string]any{"ParentId": films, "ClassName": "x", "SubAppId": otherSubAppID}, CodeParentIDNoFound},
		{"duplicate top-level name", map[string]any{"ParentId": -1, "ClassName": "Films"}, CodeClassNameDuplicate},
		{"duplicate of the built-in class", map[string]any{"ParentId": -1, "ClassName": "SystemDefault"}, CodeClassNameDuplicate},
		{"duplicate name under a parent", map[string]any{"ParentId": films, "ClassName": "Action"}, CodeClassNameDuplicate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, vodCall(t, srv, "CreateClass", tc.params), tc.want)
		})
	}
	if n := len(describeClasses(t, srv, map[string]any{})); n != 3 {
		t.Fatalf("a refused CreateClass created a class: %d classes", n)
	}
	// What the refusals above must not refuse: 64 characters, a name used under another parent, or in
	// another application, and names differing only in case.
	createClass(t, srv, -1, strings.Repeat("分", 64))
	createClass(t, srv, films, "Films")
	createClass(t, srv, -1, "Films", map[string]any{"SubAppId": otherSubAppID})
	createClass(t, srv, -1, "films")
}

func TestCreateClass_atMostFourLevels(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	parent := int64(-1)
	for level := range 4 {
		parent = createClass(t, srv, parent, "level "+strconv.Itoa(level))
	}
	if c := findClass(t, describeClasses(t, srv, map[string]any{}), parent); c.Level != 3 {
		t.Fatalf("fourth level has Level %d, want 3", c.Level)
	}
	wantCode(t, vodCall(t, srv, "CreateClass", map[string]any{"ParentId": parent, "ClassName": "fifth"}),
		CodeClassLevelLimitExceeded)
}

func TestCreateClass_atMost500Subclasses(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	parent := createClass(t, srv, -1, "big")
	// 499 through the store to keep the test fast; the 500th and 501st through the API.
	for i := range 499 {
		if _, apiErr := srv.vod.createClass(DefaultSubAppID, parent, "child "+strconv.Itoa(i)); apiErr != nil {
			t.Fatal(apiErr)
		}
	}
	createClass(t, srv, parent, "child 499")
	wantCode(t, vodCall(t, srv, "CreateClass", map[string]any{"ParentId": parent, "ClassName": "child 500"}),
		CodeSubclassLimitExceeded)
	// The limit is per class: a sibling of the full class still takes subclasses.
	createClass(t, srv, createClass(t, srv, -1, "small"), "child")
}

func TestClasses_areSeparatePerApplication(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{SubAppIDs: []uint64{DefaultSubAppID, otherSubAppID}})
	other := createClass(t, srv, -1, "Elsewhere", map[string]any{"SubAppId": otherSubAppID})
	if ids := classIDs(describeClasses(t, srv, map[string]any{})); !slices.Equal(ids, []int64{0}) {
		t.Fatalf("the default application sees %v", ids)
	}
	if ids := classIDs(describeClasses(t, srv, map[string]any{"SubAppId": otherSubAppID})); !slices.Equal(ids, []int64{0, other}) {
		t.Fatalf("the other application sees %v", ids)
	}
	wantCode(t, vodCall(t, srv, "ModifyClass", map[string]any{"ClassId": other, "ClassName": "x"}), CodeClassNoFound)
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": other}), CodeInvalidClassID)
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4","ClassId":` + strconv.FormatInt(other, 10) + `}`}), CodeInvalidClassID)
	applyUpload(t, srv, `{"MediaType":"mp4","SubAppId":`+strconv.FormatUint(otherSubAppID, 10)+`,"ClassId":`+strconv.FormatInt(other, 10)+`}`)
	// Class IDs are unique in the account, not per application.
	if mine := createClass(t, srv, -1, "Elsewhere"); mine == other {
		t.Fatalf("two applications got class id %d", mine)
	}
}

func TestClasses_honourRequireSubAppID(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{RequireSubAppID: true})
	for action, params := range map[string]map[string]any{
		"CreateClass":      {"ParentId": -1, "ClassName": "x"},
		"DescribeAllClass": {},
		"ModifyClass":      {"ClassId": 1, "ClassName": "x"},
		"DeleteClass":      {"ClassId": 1},
	} {
		wantCode(t, vodCall(t, srv, action, params), CodeInvalidSubAppID)
	}
	createClass(t, srv, -1, "x", map[string]any{"SubAppId": DefaultSubAppID})
}

func TestClassIDs_areNeverReused(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	first := createClass(t, srv, -1, "a")
	second := createClass(t, srv, -1, "b")
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": second}), "")
	third := createClass(t, srv, -1, "b")
	if first <= 0 || second <= first || third <= second {
		t.Fatalf("class ids %d, %d, %d: want positive and increasing, a deleted id not reused", first, second, third)
	}
}

func TestModifyClass(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	films := createClass(t, srv, -1, "Films")
	action := createClass(t, srv, films, "Action")
	createClass(t, srv, films, "Drama")
	createClass(t, srv, -1, "Music")

	wantCode(t, vodCall(t, srv, "ModifyClass", map[string]any{"ClassId": action, "ClassName": "Thriller"}), "")
	if c := findClass(t, describeClasses(t, srv, map[string]any{}), action); c.Name != "Thriller" || c.ClassName != "Thriller" || c.ParentId != films {
		t.Fatalf("renamed class = %+v", c)
	}
	// Renaming to its own name is not a duplicate; to a sibling's is; to a non-sibling's is not.
	wantCode(t, vodCall(t, srv, "ModifyClass", map[string]any{"ClassId": action, "ClassName": "Thriller"}), "")
	wantCode(t, vodCall(t, srv, "ModifyClass", map[string]any{"ClassId": action, "ClassName": "Drama"}), CodeClassNameDuplicate)
	wantCode(t, vodCall(t, srv, "ModifyClass", map[string]any{"ClassId": films, "ClassName": "Music"}), CodeClassNameDuplicate)
	wantCode(t, vodCall(t, srv, "ModifyClass", map[string]any{"ClassId": action, "ClassName": "Music"}), "")

	for _, tc := range []struct {
		name   string
		params map[string]any
		want   ErrorCode
	}{
		{"no ClassId", map[string]any{"ClassName": "x"}, CodeMissingParameter},
		{"no ClassName", map[string]any{"ClassId": action}, CodeMissingParameter},
		{"negative ClassId", map[string]any{"ClassId": -1, "ClassName": "x"}, CodeInvalidParameter},
		{"mistyped parameter", map[string]any{"ClassID": action, "ClassName": "x"}, CodeUnknownParameter},
		{"empty name", map[string]any{"ClassId": action, "ClassName": ""}, CodeInvalidClassName},
		{"65 characters", map[string]any{"ClassId": action, "ClassName": strings.Repeat("a", 65)}, CodeInvalidClassName},
		{"control character", map[string]any{"ClassId": action, "ClassName": "a\x7f"}, CodeInvalidClassName},
		{"unknown class", map[string]any{"ClassId": action + 100, "ClassName": "x"}, CodeClassNoFound},
		{"beyond int64", map[string]any{"ClassId": json.RawMessage(`18446744073709551615`), "ClassName": "x"}, CodeClassNoFound},
		{"the built-in class", map[string]any{"ClassId": 0, "ClassName": "x"}, CodeInvalidClassID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, vodCall(t, srv, "ModifyClass", tc.params), tc.want)
		})
	}
	if c := findClass(t, describeClasses(t, srv, map[string]any{}), 0); c.Name != "SystemDefault" {
		t.Fatalf("class 0 was renamed: %+v", c)
	}
}

func TestDeleteClass(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now})
	films := createClass(t, srv, -1, "Films")
	action := createClass(t, srv, films, "Action")
	drama := createClass(t, srv, films, "Drama")
	_, clip := uploadMedia(t, srv, `{"MediaType":"mp4","ClassId":`+strconv.FormatInt(action, 10)+`}`)
	expires := clock.Now().Add(time.Hour).Format(time.RFC3339)
	uploadMedia(t, srv, `{"MediaType":"mp4","ClassId":`+strconv.FormatInt(drama, 10)+`,"ExpireTime":"`+expires+`"}`)

	for _, tc := range []struct {
		name   string
		params map[string]any
		want   ErrorCode
	}{
		{"no ClassId", map[string]any{}, CodeMissingParameter},
		{"mistyped parameter", map[string]any{"ClassId": films, "Force": true}, CodeUnknownParameter},
		{"the built-in class", map[string]any{"ClassId": 0}, CodeInvalidClassID},
		{"unknown class", map[string]any{"ClassId": films + 100}, CodeInvalidClassID},
		{"negative class", map[string]any{"ClassId": -1}, CodeInvalidClassID},
		{"class with subclasses", map[string]any{"ClassId": films}, CodeClassNotEmpty},
		{"class with media", map[string]any{"ClassId": action}, CodeClassNotEmpty},
		{"class with media that has not expired yet", map[string]any{"ClassId": drama}, CodeClassNotEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, vodCall(t, srv, "DeleteClass", tc.params), tc.want)
		})
	}
	if reply := vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": action}); !strings.Contains(reply.Message, "media") {
		t.Fatalf("the refusal does not say what is in the way: %s", reply.Message)
	}

	// The media move to another class, or expire, and the subclasses go: then the classes can go.
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": clip.FileId, "ClassId": 0}), "")
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": action}), "")
	clock.Advance(2 * time.Hour)
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": drama}), "")
	if c := findClass(t, describeClasses(t, srv, map[string]any{}), films); len(c.SubClassIdSet) != 0 {
		t.Fatalf("the parent still lists deleted subclasses: %+v", c)
	}
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": films}), "")
	if ids := classIDs(describeClasses(t, srv, map[string]any{})); !slices.Equal(ids, []int64{0}) {
		t.Fatalf("classes left: %v", ids)
	}
	// Deleted means gone: a second delete and media changes find no class.
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": films}), CodeInvalidClassID)
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": clip.FileId, "ClassId": action}), CodeInvalidClassID)
}

func TestDeleteClass_afterTheMediaAreDeleted(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	class := createClass(t, srv, -1, "Films")
	_, clip := uploadMedia(t, srv, `{"MediaType":"mp4","ClassId":`+strconv.FormatInt(class, 10)+`}`)
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": class}), CodeClassNotEmpty)
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": clip.FileId}), "")
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": class}), "")
}

func TestMediaClasses_checkedAgainstTheStore(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	films := createClass(t, srv, -1, "Films")
	id := strconv.FormatInt(films, 10)
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4","ClassId":` + strconv.FormatInt(films+1, 10) + `}`}), CodeInvalidClassID)
	wantCode(t, call(t, srv, apiRequest{Body: `{"MediaType":"mp4","ClassId":-1}`}), CodeInvalidClassID)
	_, clip := uploadMedia(t, srv, `{"MediaType":"mp4","ClassId":`+id+`}`)
	if m, _ := srv.MediaFile(clip.FileId); m.ClassID != films {
		t.Fatalf("media class = %d, want %d", m.ClassID, films)
	}
	music := createClass(t, srv, -1, "Music")
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": clip.FileId, "ClassId": music + 1}), CodeInvalidClassID)
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": clip.FileId, "ClassId": music}), "")
	if m, _ := srv.MediaFile(clip.FileId); m.ClassID != music {
		t.Fatalf("media class = %d after ModifyMediaInfo, want %d", m.ClassID, music)
	}
}

// ModifyMediaInfo checks the class once more under the store's lock, so that a DeleteClass between its
// validation and its update cannot leave the media in a deleted class.
func TestModifyMediaInfo_classDeletedDuringTheCall(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	class := createClass(t, srv, -1, "Films")
	_, clip := uploadMedia(t, srv, `{"MediaType":"mp4"}`)
	m, _ := srv.MediaFile(clip.FileId)
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": class}), "")
	_, apiErr := srv.applyMediaChanges(m, modifyMediaInfoRequest{ClassID: &class}, "", time.Now())
	if apiErr == nil || apiErr.Code != CodeInvalidClassID {
		t.Fatalf("applyMediaChanges into a deleted class: %v", apiErr)
	}
}

func TestCommitUpload_classDeletedAfterApplyUpload(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	class := createClass(t, srv, -1, "Films")
	u := applyUpload(t, srv, `{"MediaType":"mp4","ClassId":`+strconv.FormatInt(class, 10)+`}`)
	putUploadObjects(t, srv, &u)
	// The class is empty until the commit, so it can be deleted meanwhile.
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": class}), "")
	reply := vodCall(t, srv, "CommitUpload", map[string]any{"VodSessionKey": u.VodSessionKey})
	wantCode(t, reply, CodeInvalidClassID)
	if !strings.Contains(reply.Message, "ApplyUpload") || len(srv.Media()) != 0 {
		t.Fatalf("commit into a deleted class: %q, %d media", reply.Message, len(srv.Media()))
	}
}

func TestMediaBasicInfo_classNameAndPath(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	films := createClass(t, srv, -1, "Films")
	action := createClass(t, srv, films, "Action")
	heist := createClass(t, srv, action, "Heist-Caper")
	_, top := uploadMedia(t, srv, `{"MediaType":"mp4","MediaName":"top","ClassId":`+strconv.FormatInt(films, 10)+`}`)
	_, deep := uploadMedia(t, srv, `{"MediaType":"mp4","MediaName":"deep","ClassId":`+strconv.FormatInt(heist, 10)+`}`)
	_, other := uploadMedia(t, srv, `{"MediaType":"mp4","MediaName":"other"}`)

	for _, tc := range []struct {
		fileID     string
		class      int64
		name, path string
	}{
		{top.FileId, films, "Films", "Films"},
		{deep.FileId, heist, "Heist-Caper", "Films-Action-Heist-Caper"},
		{other.FileId, 0, "SystemDefault", "SystemDefault"},
	} {
		if b := basicInfo(t, srv, tc.fileID); b.ClassID != tc.class || b.ClassName != tc.name || b.ClassPath != tc.path {
			t.Errorf("media in class %d: ClassId %d, ClassName %q, ClassPath %q; want %q, %q", tc.class, b.ClassID, b.ClassName, b.ClassPath, tc.name, tc.path)
		}
	}

	// A renamed class shows its new name in every media file below it, in DescribeMediaInfos and SearchMedia.
	wantCode(t, vodCall(t, srv, "ModifyClass", map[string]any{"ClassId": action, "ClassName": "Thriller"}), "")
	if b := basicInfo(t, srv, deep.FileId); b.ClassName != "Heist-Caper" || b.ClassPath != "Films-Thriller-Heist-Caper" {
		t.Fatalf("after renaming a parent: ClassName %q, ClassPath %q", b.ClassName, b.ClassPath)
	}
	reply := vodCall(t, srv, "SearchMedia", map[string]any{"Names": []string{"deep"}})
	wantCode(t, reply, "")
	var found struct {
		MediaInfoSet []struct{ BasicInfo mediaBasicInfo }
	}
	reply.decode(t, &found)
	if len(found.MediaInfoSet) != 1 || found.MediaInfoSet[0].BasicInfo.ClassPath != "Films-Thriller-Heist-Caper" {
		t.Fatalf("SearchMedia = %+v", found)
	}
}

func TestSearchMedia_classIDsIncludeSubclasses(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	films := createClass(t, srv, -1, "Films")
	action := createClass(t, srv, films, "Action")
	heist := createClass(t, srv, action, "Heist")
	music := createClass(t, srv, -1, "Music")
	for name, class := range map[string]int64{"film": films, "action": action, "heist": heist, "song": music, "unfiled": 0} {
		uploadMedia(t, srv, `{"MediaType":"mp4","MediaName":"`+name+`","ClassId":`+strconv.FormatInt(class, 10)+`}`)
	}
	for _, tc := range []struct {
		classes []int64
		want    []string
	}{
		{[]int64{films}, []string{"action", "film", "heist"}},
		{[]int64{action}, []string{"action", "heist"}},
		{[]int64{heist}, []string{"heist"}},
		{[]int64{action, music}, []string{"action", "heist", "song"}},
		{[]int64{films, action}, []string{"action", "film", "heist"}},
		{[]int64{0}, []string{"unfiled"}},
		{[]int64{music + 100}, nil},
	} {
		reply := vodCall(t, srv, "SearchMedia", map[string]any{"ClassIds": tc.classes})
		wantCode(t, reply, "")
		var found struct {
			MediaInfoSet []struct{ BasicInfo mediaBasicInfo }
		}
		reply.decode(t, &found)
		var names []string
		for _, m := range found.MediaInfoSet {
			names = append(names, m.BasicInfo.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, tc.want) {
			t.Errorf("ClassIds %v found %v, want %v", tc.classes, names, tc.want)
		}
	}
}

func TestInspection_classes(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{SubAppIDs: []uint64{DefaultSubAppID, otherSubAppID}})
	films := createClass(t, srv, -1, "Films")
	action := createClass(t, srv, films, "Action")
	status, body := getURL(t, srv.URL()+"/_emulator/classes")
	if status != 200 {
		t.Fatalf("GET /_emulator/classes: %d %s", status, body)
	}
	var views []classView
	if err := json.Unmarshal(body, &views); err != nil {
		t.Fatal(err)
	}
	want := []classView{
		{SubAppID: DefaultSubAppID, ClassID: 0, ParentID: -1, Name: "SystemDefault", Path: "SystemDefault", Subclasses: []int64{}},
		{SubAppID: DefaultSubAppID, ClassID: films, ParentID: -1, Name: "Films", Path: "Films", Subclasses: []int64{action}},
		{SubAppID: DefaultSubAppID, ClassID: action, ParentID: films, Name: "Action", Level: 1, Path: "Films-Action", Subclasses: []int64{}},
		{SubAppID: otherSubAppID, ClassID: 0, ParentID: -1, Name: "SystemDefault", Path: "SystemDefault", Subclasses: []int64{}},
	}
	if !slices.EqualFunc(views, want, func(a, b classView) bool {
		return a.SubAppID == b.SubAppID && a.ClassID == b.ClassID && a.ParentID == b.ParentID && a.Name == b.Name &&
			a.Level == b.Level && a.Path == b.Path && slices.Equal(a.Subclasses, b.Subclasses)
	}) {
		t.Fatalf("classes = %+v\nwant %+v", views, want)
	}
	if _, index := getURL(t, srv.URL()+"/_emulator/"); !strings.Contains(string(index), "/_emulator/classes") {
		t.Fatalf("the index does not list /_emulator/classes: %s", index)
	}
}

// The seeded classes of Options.ClassIDs have the same IDs in every application: deleting one counts
// only the media of its own application.
func TestDeleteClass_countsTheMediaOfItsApplicationOnly(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{ClassIDs: []int64{7}, SubAppIDs: []uint64{DefaultSubAppID, otherSubAppID}})
	uploadMedia(t, srv, `{"MediaType":"mp4","ClassId":7,"SubAppId":`+strconv.FormatUint(otherSubAppID, 10)+`}`)
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": 7, "SubAppId": otherSubAppID}), CodeClassNotEmpty)
	wantCode(t, vodCall(t, srv, "DeleteClass", map[string]any{"ClassId": 7}), "")
}

// Like the other values of ModifyMediaInfo, the class is checked before the media file is looked up.
func TestModifyMediaInfo_checksTheClassFirst(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": "5285890799999999999", "ClassId": 12}), CodeInvalidClassID)
}

// Whether the class actions need X-TC-Region is not documented, so they work with and without it.
func TestClasses_regionIsOptional(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	for _, a := range []apiRequest{ // in this order: the class is created, renamed and deleted
		{Action: "CreateClass", Body: `{"ParentId":-1,"ClassName":"x"}`},
		{Action: "DescribeAllClass", Body: `{}`},
		{Action: "ModifyClass", Body: `{"ClassId":1,"ClassName":"y"}`},
		{Action: "DeleteClass", Body: `{"ClassId":1}`},
	} {
		a.NoRegion = true
		wantCode(t, call(t, srv, a), "")
	}
}
