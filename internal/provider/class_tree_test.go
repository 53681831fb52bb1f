package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

func classIDs(classes []vod.ClassInfo) []int64 {
	ids := make([]int64, len(classes))
	for i, c := range classes {
		ids[i] = c.ClassID
	}
	return ids
}

// A listing with a class whose parent is missing, and two classes that are each other's parent (neither
// can happen in VOD, but an answer is not trusted to be well formed): every class is still listed
// once, and walking a path ends.
func TestClassTree_malformedListings(t *testing.T) {
	tree := newClassTree([]vod.ClassInfo{
		{ClassID: 0, ParentID: vod.TopLevelParentID, Name: "SystemDefault"},
		{ClassID: 5, ParentID: vod.TopLevelParentID, Name: "Movies", SubClassIDSet: []int64{9}},
		{ClassID: 9, ParentID: 5, Name: "Drama", Level: 1},
		{ClassID: 20, ParentID: 404, Name: "Orphan", Level: 1},
		{ClassID: 30, ParentID: 31, Name: "Loop A"},
		{ClassID: 31, ParentID: 30, Name: "Loop B"},
	})
	if got, want := classIDs(tree.preorder()), []int64{0, 5, 9, 20, 30, 31}; !slices.Equal(got, want) {
		t.Errorf("preorder = %v, want %v", got, want)
	}
	if got := tree.path(20); !slices.Equal(got, []string{"Orphan"}) {
		t.Errorf("path of the orphan = %q", got)
	}
	if got := tree.path(30); len(got) != 2 {
		t.Errorf("path in a cycle = %q, want each class once", got)
	}
	if got := tree.path(404); got != nil {
		t.Errorf("path of a missing class = %q, want nil", got)
	}
}

func TestClassTree_lookup(t *testing.T) {
	tree := newClassTree([]vod.ClassInfo{
		{ClassID: 0, ParentID: vod.TopLevelParentID, Name: "SystemDefault"},
		{ClassID: 5, ParentID: vod.TopLevelParentID, Name: "Movies"},
		{ClassID: 7, ParentID: 5, Name: "Action/Adventure", Level: 1},
		{ClassID: 8, ParentID: 5, Name: "action", Level: 1},
		{ClassID: 9, ParentID: 5, Name: "Sci-Fi", Level: 1},
		{ClassID: 10, ParentID: vod.TopLevelParentID, Name: "Movies-Sci"},
		{ClassID: 11, ParentID: 10, Name: "Fi", Level: 1},
	})
	cases := []struct {
		path    []string
		want    int64
		wantErr string
	}{
		{path: []string{"Movies", "Action/Adventure"}, want: 7},
		{path: []string{"Movies", "action"}, want: 8}, // names are compared exactly
		{path: []string{"SystemDefault"}, want: vod.DefaultClassID},
		// VOD's ClassPath "Movies-Sci-Fi" could be either of these; a list of names is not ambiguous.
		{path: []string{"Movies", "Sci-Fi"}, want: 9},
		{path: []string{"Movies-Sci", "Fi"}, want: 11},
		{path: []string{"Movies", "Action"}, wantErr: `element 1: no class named "Action" under "Movies" (class 5); the classes there are: "Action/Adventure", "action", "Sci-Fi"`},
		{path: []string{"Movies", "action", "Heists"}, wantErr: `element 2: no class named "Heists" under "Movies" / "action" (class 8); there are no classes there`},
		{path: []string{"Films"}, wantErr: `element 0: no class named "Films" at the top level; the classes there are: "SystemDefault", "Movies", "Movies-Sci"`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.path, "|"), func(t *testing.T) {
			got, err := tree.lookup(tc.path)
			switch {
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Errorf("error %v, want %s", err, tc.wantErr)
			case tc.wantErr == "" && (err != nil || got.ClassID != tc.want):
				t.Errorf("class %d (error %v), want %d", got.ClassID, err, tc.want)
			}
		})
	}
}

// A level with many classes is listed in part, saying how many more there are.
func TestDescribeNames_capsLongLists(t *testing.T) {
	var classes []vod.ClassInfo
	for i := range maxNamesInMessage + 3 {
		classes = append(classes, vod.ClassInfo{ClassID: int64(i + 1), Name: fmt.Sprintf("c%d", i)})
	}
	got := describeNames("the classes there are", classes)
	if !strings.HasPrefix(got, `the classes there are: "c0", "c1", `) || strings.Contains(got, `"c20"`) ||
		!strings.HasSuffix(got, `"c19", and 3 more (see the classes of the tencentvod_classes data source)`) {
		t.Errorf("describeNames = %s", got)
	}
	if got := describeNames("x", classes[:2]); got != `x: "c0", "c1"` {
		t.Errorf("describeNames of two = %s", got)
	}
}
