package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// mkfifo makes a named pipe in dir. Opening it for reading the usual way blocks until a writer comes,
// which never happens here.
func mkfifo(t *testing.T, dir, name string) string {
	t.Helper()
	fifo := filepath.Join(dir, name)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	return fifo
}

// A local file that cannot be uploaded fails `terraform plan`, naming the attribute, and a named pipe
// does not hang it.
func TestAccMedia_badLocalFilesRefusedAtPlan(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	files := newMediaFiles(t)
	video, _ := files.random("clip.mp4", 1024)
	cover := files.write("cover.jpg", jpegCover)
	dir := filepath.Join(files.dir, "folder.mp4")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	bigCover := filepath.Join(files.dir, "big.jpg")
	if err := os.WriteFile(bigCover, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(bigCover, maxInlineCoverBytes+1); err != nil {
		t.Fatal(err)
	}
	empty := files.write("empty.mp4", nil)
	emptyCover := files.write("empty.png", nil)
	loop := filepath.Join(files.dir, "loop.mp4")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		body    string
		message string
	}{
		"fifo source":                {fmt.Sprintf("source = %q", mkfifo(t, files.dir, "pipe.mp4")), `(?s)Unable to Read source.*pipe\.mp4" is a named pipe \(FIFO\)`},
		"fifo cover uploaded":        {fmt.Sprintf("source = %q\ncover_source = %q", video, mkfifo(t, files.dir, "pipe.jpg")), `(?s)Unable to Read cover_source.*pipe\.jpg" is a named pipe`},
		"fifo cover sent inline":     {fmt.Sprintf("vod_session_key_wo = \"k\"\ncover_source = %q", mkfifo(t, files.dir, "inline.png")), `(?s)Unable to Read cover_source.*inline\.png" is a named pipe`},
		"directory source":           {fmt.Sprintf("source = %q", dir), `(?s)Unable to Read source.*folder\.mp4" is a directory`},
		"empty source":               {fmt.Sprintf("source = %q", empty), `(?s)Empty source.*empty\.mp4" is empty`},
		"empty cover":                {fmt.Sprintf("source = %q\ncover_source = %q", video, emptyCover), `(?s)Empty cover_source.*empty\.png" is empty`},
		"unreadable source":          {fmt.Sprintf("source = %q", filepath.Join(video, "inner.mp4")), `(?s)Unable to Read source.*inner\.mp4" cannot be read: not a directory`},
		"symlink loop":               {fmt.Sprintf("source = %q", loop), `(?s)Unable to Read source.*loop\.mp4" cannot be read: too many levels of symbolic links`},
		"inline cover too large":     {fmt.Sprintf("vod_session_key_wo = \"k\"\ncover_source = %q", bigCover), `(?s)Cover Image Too Large.*big\.jpg`},
		"good cover, directory file": {fmt.Sprintf("source = %q\ncover_source = %q", dir, cover), `(?s)Unable to Read source.*is a directory`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			before := env.mediaUploadAttempts()
			runTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      env.providerConfig() + "resource \"tencentvod_media\" \"test\" {\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: wrapTolerant(tc.message),
				}},
			})
			if n := env.mediaUploadAttempts() - before; n != 0 {
				t.Errorf("%d API calls were made for a file refused at plan", n)
			}
		})
	}
}

// A new cover that cannot be read fails the plan of an update too.
func TestAccMedia_badCoverRefusedAtPlanOfUpdate(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	files := newMediaFiles(t)
	video, _ := files.random("clip.mp4", 1024)
	media := func(cover string) string {
		body := fmt.Sprintf("source = %q\n", video)
		if cover != "" {
			body += fmt.Sprintf("cover_source = %q\n", cover)
		}
		return env.providerConfig() + "resource \"tencentvod_media\" \"test\" {\n" + body + "}\n"
	}
	missing := filepath.Join(files.dir, "later.png")
	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: media("")},
			{
				Config:      media(mkfifo(t, files.dir, "pipe.png")),
				PlanOnly:    true,
				ExpectError: wrapTolerant(`(?s)Unable to Read cover_source.*pipe\.png" is a named pipe`),
			},
			{
				// A cover that does not exist yet is only a warning at plan (something earlier in the
				// apply may write it): the plan goes on.
				Config:             media(missing),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("tencentvod_media.test", plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

// The apply's own reads never block on a named pipe either: the file may be swapped for one after plan.
func TestLocalFileReadsNeverBlock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	checks := map[string]func(fifo string) diag.Diagnostics{
		"checkReadableFile": func(fifo string) diag.Diagnostics { return checkReadableFile(path.Root("source"), fifo) },
		"readInlineCover": func(fifo string) diag.Diagnostics {
			_, diags := readInlineCover(fifo)
			return diags
		},
		"planLocalFile": func(fifo string) diag.Diagnostics {
			_, diags := planLocalFile(path.Root("cover_source"), fifo)
			return diags
		},
	}
	for name, check := range checks {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fifo := mkfifo(t, dir, name+".png")
			done := make(chan diag.Diagnostics, 1)
			go func() { done <- check(fifo) }()
			select {
			case diags := <-done:
				if !diags.HasError() || !strings.Contains(fmt.Sprint(diags), "named pipe") {
					t.Errorf("diagnostics %v, want an error about a named pipe", diags)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("blocked on a named pipe")
			}
		})
	}
}

// A readable cover is read whole; an empty one is refused.
func TestReadInlineCover(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "c.png")
	writeFile(t, good, string(pngCover))
	data, diags := readInlineCover(good)
	if diags.HasError() || data == "" {
		t.Errorf("readInlineCover(good) = %d bytes, %v", len(data), diags)
	}
	empty := filepath.Join(dir, "e.png")
	writeFile(t, empty, "")
	if _, diags := readInlineCover(empty); !strings.Contains(fmt.Sprint(diags), "Empty cover_source") {
		t.Errorf("readInlineCover(empty): %v, want Empty cover_source", diags)
	}
}
