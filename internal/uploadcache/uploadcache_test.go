package uploadcache

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

func TestDirFromEnvironmentOrUserCache(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", base)
	t.Setenv("HOME", base)
	t.Setenv(EnvDir, "")
	dir, err := Dir()
	userCache, _ := os.UserCacheDir()
	if err != nil || dir != filepath.Join(userCache, "terraform-provider-tencentvod", "uploads") {
		t.Errorf("Dir() = %q, %v; want the provider's directory in the user's cache directory", dir, err)
	}
	t.Setenv(EnvDir, "relative/cache")
	dir, err = Dir()
	if err != nil || !filepath.IsAbs(dir) || filepath.Base(dir) != "cache" {
		t.Errorf("Dir() = %q, %v; want %s made absolute", dir, err, EnvDir)
	}
}

func testCheckpoint(expires time.Time) *Checkpoint {
	return &Checkpoint{
		Fingerprint: "f1", Source: "/media/clip.mp4",
		Session: vod.ApplyUploadResponse{
			StorageBucket: "vodgzp1-125", StorageRegion: "ap-guangzhou", MediaStoragePath: "/1/abc/clip.mp4",
			VodSessionKey: "session-key-secret",
			TempCertificate: vod.TempCertificate{
				SecretID: "AKIDTMP", SecretKey: "tmp-secret-key", Token: "tmp-token", ExpiredTime: uint64(expires.Unix()),
			},
		},
		Upload: vod.MultipartUpload{UploadID: "upload-1", PartSize: 8 << 20},
		Opened: time.Now().UTC().Truncate(time.Second),
	}
}

func TestSaveLoadDeleteWithPrivateModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "uploads")
	cache := New(dir)
	slot, ok, err := cache.Lock("/media/clip.mp4")
	if err != nil || !ok {
		t.Fatalf("Lock: %v, %v", ok, err)
	}
	defer slot.Release()
	if cp, err := slot.Load(); cp != nil || err != nil {
		t.Fatalf("an empty slot loads %v, %v", cp, err)
	}
	want := testCheckpoint(time.Now().Add(time.Hour))
	if err := slot.Save(want); err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{dir: 0o700, slot.Path(): 0o600, slot.Path() + ".lock": 0o600} {
		info, err := os.Stat(path)
		if err != nil || info.Mode().Perm() != mode {
			t.Errorf("%s: mode %v (%v), want %04o", path, info.Mode().Perm(), err, mode)
		}
	}
	got, err := slot.Load()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Load() = %+v, %v; want %+v", got, err, want)
	}
	if err := slot.Delete(); err != nil {
		t.Fatal(err)
	}
	if cp, err := slot.Load(); cp != nil || err != nil {
		t.Errorf("a deleted checkpoint loads %v, %v", cp, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d files, want only the lock file, and no temporary file", len(entries))
	}
}

func TestCorruptCheckpointIsAnErrorNotAPanic(t *testing.T) {
	cache := New(filepath.Join(t.TempDir(), "uploads"))
	slot, _, err := cache.Lock("/media/clip.mp4")
	if err != nil {
		t.Fatal(err)
	}
	defer slot.Release()
	for name, content := range map[string]string{
		"not JSON":      "{half a checkpoint",
		"other version": `{"version": 99, "fingerprint": "f", "upload": {"upload_id": "u"}}`,
		"no upload":     `{"version": 1, "fingerprint": "f"}`,
		"empty":         "",
	} {
		if err := os.WriteFile(slot.Path(), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if cp, err := slot.Load(); cp != nil || !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Load() = %v, %v; want ErrCorrupt", name, cp, err)
		}
	}
}

func TestOneHolderPerSlot(t *testing.T) {
	cache := New(filepath.Join(t.TempDir(), "uploads"))
	slot, ok, err := cache.Lock("/media/clip.mp4")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, ok, err := cache.Lock("/media/clip.mp4"); ok || err != nil {
		t.Errorf("a second holder in this process got the slot (%v, %v)", ok, err)
	}
	if other, ok, _ := cache.Lock("/media/other.mp4"); !ok {
		t.Error("another file's slot is taken too")
	} else {
		other.Release()
	}
	slot.Release()

	// Another process holding the lock file (flock locks of separate opens exclude each other).
	lock := flock.New(slot.Path() + ".lock")
	if ok, err := lock.TryLock(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, ok, err := cache.Lock("/media/clip.mp4"); ok || err != nil {
		t.Errorf("the slot was taken while another process held it (%v, %v)", ok, err)
	}
	_ = lock.Unlock()
	again, ok, err := cache.Lock("/media/clip.mp4")
	if !ok || err != nil {
		t.Fatalf("the slot stays taken after its holder let go (%v, %v)", ok, err)
	}
	again.Release()
}

func TestReleaseRemovesTheLockFileOnlyWithoutCheckpoint(t *testing.T) {
	cache := New(filepath.Join(t.TempDir(), "uploads"))
	slot, _, _ := cache.Lock("/media/clip.mp4")
	if err := slot.Save(testCheckpoint(time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	slot.Release()
	if _, err := os.Stat(slot.Path() + ".lock"); err != nil {
		t.Errorf("the lock file of a kept checkpoint is gone: %v", err)
	}
	slot, _, _ = cache.Lock("/media/clip.mp4")
	_ = slot.Delete()
	slot.Release()
	if _, err := os.Stat(slot.Path() + ".lock"); !os.IsNotExist(err) {
		t.Errorf("the lock file of a deleted checkpoint stays: %v", err)
	}
}

func TestRemoveExpired(t *testing.T) {
	cache := New(filepath.Join(t.TempDir(), "uploads"))
	now := time.Now()
	save := func(source string, expires time.Time) *Slot {
		slot, _, err := cache.Lock(source)
		if err != nil {
			t.Fatal(err)
		}
		if err := slot.Save(testCheckpoint(expires)); err != nil {
			t.Fatal(err)
		}
		return slot
	}
	save("/expired.mp4", now.Add(-time.Minute)).Release()
	save("/valid.mp4", now.Add(time.Hour)).Release()
	held := save("/expired-but-in-use.mp4", now.Add(-time.Minute))
	defer held.Release()

	removed, err := cache.RemoveExpired(now)
	if err != nil || removed != 1 {
		t.Fatalf("RemoveExpired = %d, %v; want the one expired checkpoint nobody holds", removed, err)
	}
	for source, wantKept := range map[string]bool{"/expired.mp4": false, "/valid.mp4": true} {
		slot, _, _ := cache.Lock(source)
		cp, _ := slot.Load()
		if (cp != nil) != wantKept {
			t.Errorf("%s: checkpoint kept = %v, want %v", source, cp != nil, wantKept)
		}
		slot.Release()
	}
	if cp, _ := held.Load(); cp == nil {
		t.Error("a checkpoint another holder uses was removed")
	}
}

// A checkpoint whose slot another process holds is never removed, even expired.
func TestRemoveExpiredSkipsASlotAnotherProcessHolds(t *testing.T) {
	cache := New(filepath.Join(t.TempDir(), "uploads"))
	slot, _, err := cache.Lock("/expired.mp4")
	if err != nil {
		t.Fatal(err)
	}
	if err := slot.Save(testCheckpoint(time.Now().Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}
	slot.Release()
	other := flock.New(slot.Path() + ".lock") // a separate open, as another process's
	if ok, err := other.TryLock(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	defer func() { _ = other.Unlock() }()
	if removed, err := cache.RemoveExpired(time.Now()); removed != 0 || err != nil {
		t.Errorf("RemoveExpired = %d, %v; want the held checkpoint kept", removed, err)
	}
	if _, err := os.Stat(slot.Path()); err != nil {
		t.Errorf("the held checkpoint was removed: %v", err)
	}
}

// A checkpoint left half written by a process that died while writing it goes once it is stale; one
// being written now stays.
func TestRemoveExpiredRemovesStaleHalfWrittenCheckpoints(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "uploads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	stale, fresh := filepath.Join(dir, tempPrefix+"1"), filepath.Join(dir, tempPrefix+"2")
	for _, path := range []string{stale, fresh} {
		if err := os.WriteFile(path, []byte(`{"version":1,"session":{"TempCertificate":{"SecretKey":"`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := now.Add(-staleTempAge - time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if removed, err := New(dir).RemoveExpired(now); removed != 1 || err != nil {
		t.Errorf("RemoveExpired = %d, %v; want the stale half-written checkpoint removed", removed, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale half-written checkpoint stays: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a checkpoint being written was removed: %v", err)
	}
}

func TestLockRefusesADirectoryOthersCanWrite(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o775); err != nil {
		t.Fatal(err)
	}
	if _, _, err := New(dir).Lock("/media/clip.mp4"); err == nil {
		t.Error("a checkpoint slot was taken in a directory others may write to")
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if slot, _, err := New(dir).Lock("/media/clip.mp4"); err != nil {
		t.Errorf("a directory only its owner may write to was refused: %v", err)
	} else {
		slot.Release()
	}
}

// Every field of the ApplyUpload request takes part in the fingerprint, including any added later.
func TestFingerprintCoversEveryRequestField(t *testing.T) {
	base := Identity{Source: File{Path: "/m.mp4", Size: 1, ModTime: time.Unix(1, 0)}, Request: vod.ApplyUploadRequest{MediaType: "mp4"}}
	baseFP, err := base.Fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	request := reflect.TypeOf(vod.ApplyUploadRequest{})
	for i := range request.NumField() {
		changed := base
		field := reflect.ValueOf(&changed.Request).Elem().Field(i)
		setNonZero(t, field)
		if fp, _ := changed.Fingerprint(); fp == baseFP {
			t.Errorf("changing ApplyUploadRequest.%s leaves the fingerprint as it was", request.Field(i).Name)
		}
	}
	for name, change := range map[string]func(*Identity){
		"size":       func(id *Identity) { id.Source.Size++ },
		"mod time":   func(id *Identity) { id.Source.ModTime = id.Source.ModTime.Add(time.Nanosecond) },
		"path":       func(id *Identity) { id.Source.Path = "/other.mp4" },
		"cover":      func(id *Identity) { id.Cover = &File{Path: "/c.jpg"} },
		"sub_app_id": func(id *Identity) { id.SubAppID = 7 },
		"endpoint":   func(id *Identity) { id.Endpoint = "https://other" },
	} {
		changed := base
		change(&changed)
		if fp, _ := changed.Fingerprint(); fp == baseFP {
			t.Errorf("changing the %s leaves the fingerprint as it was", name)
		}
	}
}

func setNonZero(t *testing.T, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		if v.Type().Elem() == reflect.TypeOf(time.Time{}) {
			v.Elem().Set(reflect.ValueOf(time.Unix(1700000000, 0)))
		}
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Uint, reflect.Uint64:
		v.SetUint(v.Uint() + 1)
	default:
		t.Fatalf("no non-zero value for %s", v.Type())
	}
}
