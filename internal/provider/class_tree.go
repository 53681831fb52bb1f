package provider

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// deepestClassLevel is the Level of a class as deep as VOD allows: DescribeAllClass counts levels from 0
// (a top-level class), and the tree has at most vod.MaxClassLevels of them.
const deepestClassLevel = vod.MaxClassLevels - 1

// classTree is an application's classes as DescribeAllClass lists them, indexed for the questions the
// class resource and the classes data source ask: a class by ID, its path of names, the classes under
// a parent.
type classTree struct {
	byID map[int64]vod.ClassInfo
}

func newClassTree(classes []vod.ClassInfo) classTree {
	t := classTree{byID: make(map[int64]vod.ClassInfo, len(classes))}
	for _, c := range classes {
		t.byID[c.ClassID] = c
	}
	return t
}

// class returns the class with this ID, if the application has it.
func (t classTree) class(id int64) (vod.ClassInfo, bool) {
	c, ok := t.byID[id]
	return c, ok
}

// path returns the names from the top-level class down to class id. The walk stops at a parent the
// listing does not hold, and at a cycle, which a faulty answer could contain.
func (t classTree) path(id int64) []string {
	var names []string
	seen := map[int64]bool{}
	for c, ok := t.byID[id]; ok && !seen[c.ClassID]; c, ok = t.byID[c.ParentID] {
		seen[c.ClassID] = true
		names = append(names, c.Name)
	}
	slices.Reverse(names)
	return names
}

// children returns the classes directly under parentID (vod.TopLevelParentID: the top-level classes,
// the built-in class included), ordered by class ID so that plans and messages are stable.
func (t classTree) children(parentID int64) []vod.ClassInfo {
	var out []vod.ClassInfo
	for _, c := range t.byID {
		if c.ParentID == parentID && c.ClassID != parentID {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b vod.ClassInfo) int { return cmp.Compare(a.ClassID, b.ClassID) })
	return out
}

// preorder returns every class, each parent before its subclasses, siblings by class ID: the order in
// which a reader expects a tree.
func (t classTree) preorder() []vod.ClassInfo {
	var out []vod.ClassInfo
	seen := map[int64]bool{}
	var visit func(parentID int64)
	visit = func(parentID int64) {
		for _, c := range t.children(parentID) {
			if seen[c.ClassID] {
				continue
			}
			seen[c.ClassID] = true
			out = append(out, c)
			visit(c.ClassID)
		}
	}
	visit(vod.TopLevelParentID)
	// Classes whose parent is missing from the listing are still classes of the application.
	for _, id := range t.sortedIDs() {
		if !seen[id] {
			seen[id] = true
			out = append(out, t.byID[id])
		}
	}
	return out
}

func (t classTree) sortedIDs() []int64 {
	ids := make([]int64, 0, len(t.byID))
	for id := range t.byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// lookup finds the class at a path of names, from the top level down. Names are compared exactly, as
// VOD keeps them; a name may contain "/", which is why paths are lists. When an element is missing,
// the error names it and what exists at that level.
func (t classTree) lookup(names []string) (vod.ClassInfo, error) {
	parentID := vod.TopLevelParentID
	var found vod.ClassInfo
	for i, name := range names {
		siblings := t.children(parentID)
		match := slices.IndexFunc(siblings, func(c vod.ClassInfo) bool { return c.Name == name })
		if match < 0 {
			return found, fmt.Errorf("element %d: no class named %q %s; %s", i, name,
				t.describeLevel(names[:i], parentID), describeNames("the classes there are", siblings))
		}
		found = siblings[match]
		parentID = found.ClassID
	}
	return found, nil
}

// describeLevel says where a level is, for messages: "at the top level" or "under "Movies" (class 12)".
func (t classTree) describeLevel(above []string, parentID int64) string {
	if len(above) == 0 {
		return "at the top level"
	}
	return fmt.Sprintf("under %s (class %d)", quotedPath(above), parentID)
}

// maxNamesInMessage caps the names a message lists: a level may hold hundreds of classes.
const maxNamesInMessage = 20

// describeNames lists the names of classes for a message (the first maxNamesInMessage, and how many
// more), or says there are none.
func describeNames(intro string, classes []vod.ClassInfo) string {
	if len(classes) == 0 {
		return "there are no classes there"
	}
	quoted := make([]string, 0, min(len(classes), maxNamesInMessage))
	for _, c := range classes[:cap(quoted)] {
		quoted = append(quoted, strconv.Quote(c.Name))
	}
	if more := len(classes) - len(quoted); more > 0 {
		quoted = append(quoted, fmt.Sprintf("and %d more (see the classes of the tencentvod_classes data source)", more))
	}
	return intro + ": " + strings.Join(quoted, ", ")
}

// quotedPath renders a path of names for messages, each quoted because names may contain "/".
func quotedPath(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	return strings.Join(quoted, " / ")
}
