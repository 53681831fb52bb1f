package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// mediaFacts is what a test learns about a media file from the service itself: the emulator's records
// in make test, DescribeMediaInfos and a download of the media URL in make testacc.
type mediaFacts struct {
	FileID       string
	Name         string
	Description  string
	ClassID      int64
	ExpireTime   time.Time // zero: never expires
	Tags         []string
	Size         int64
	Content      []byte
	CoverContent []byte // nil without a cover
}

// lookupMedia asks the service about fileID; found is false when it does not exist.
func (e *testEnv) lookupMedia(ctx context.Context, fileID string) (facts mediaFacts, found bool, err error) {
	if e.emu != nil {
		return e.lookupEmulatedMedia(fileID)
	}
	return e.lookupRealMedia(ctx, fileID)
}

func (e *testEnv) lookupEmulatedMedia(fileID string) (mediaFacts, bool, error) {
	m, ok := e.emu.MediaFile(fileID)
	if !ok {
		return mediaFacts{}, false, nil
	}
	facts := mediaFacts{
		FileID: m.FileID, Name: m.Name, Description: m.Description, ClassID: m.ClassID,
		ExpireTime: m.ExpireTime, Tags: m.Tags, Size: m.Size,
	}
	facts.Content, _ = e.emu.Object(m.Bucket, m.MediaKey)
	if m.CoverKey != "" {
		facts.CoverContent, _ = e.emu.Object(m.Bucket, m.CoverKey)
	}
	return facts, true, nil
}

func (e *testEnv) lookupRealMedia(ctx context.Context, fileID string) (mediaFacts, bool, error) {
	client, err := e.apiClient()
	if err != nil {
		return mediaFacts{}, false, err
	}
	info, err := client.DescribeMedia(ctx, fileID, nil)
	if errors.Is(err, vod.ErrMediaNotFound) {
		return mediaFacts{}, false, nil
	}
	if err != nil || info.BasicInfo == nil {
		return mediaFacts{}, false, fmt.Errorf("describing %s: %v", fileID, err)
	}
	b := info.BasicInfo
	facts := mediaFacts{FileID: fileID, Name: b.Name, Description: b.Description, ClassID: b.ClassID, Tags: b.TagSet}
	if info.MetaData != nil {
		facts.Size = info.MetaData.Size
	}
	if b.ExpireTime != vod.NeverExpires {
		facts.ExpireTime, _ = time.Parse(time.RFC3339, b.ExpireTime)
	}
	if facts.Content, err = download(ctx, b.MediaURL); err != nil {
		return facts, true, err
	}
	if b.CoverURL != "" {
		if facts.CoverContent, err = download(ctx, b.CoverURL); err != nil {
			return facts, true, err
		}
	}
	return facts, true, nil
}

// apiClient is a client for the test's service, configured from the environment in make testacc.
func (e *testEnv) apiClient() (*vod.Client, error) {
	if e.emu != nil {
		return vod.NewClient(vod.Config{
			SecretID: emulatorSecretID, SecretKey: emulatorSecretKey, SubAppID: emulatorSubAppID,
			Endpoint: e.emu.URL(), COSEndpoint: e.emu.URL(), Region: "ap-guangzhou",
		})
	}
	return vod.NewClient(vod.Config{})
}

func download(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// deleteOutOfBand deletes media the way someone in the console would.
func (e *testEnv) deleteOutOfBand(t *testing.T, fileID string) {
	t.Helper()
	if e.emu != nil {
		if !e.emu.RemoveMedia(fileID) {
			t.Fatalf("media %s was not there to remove", fileID)
		}
		return
	}
	client, err := e.apiClient()
	if err == nil {
		err = client.DeleteMedia(t.Context(), &vod.DeleteMediaRequest{FileID: fileID})
	}
	if err != nil {
		t.Fatalf("deleting %s out of band: %s", fileID, err)
	}
}

// mediaInState returns what the service knows of the media whose file_id the resource holds.
func (e *testEnv) mediaInState(state *tfjson.State, address string) (mediaFacts, error) {
	id, err := stateAttr(state, address, "file_id")
	if err != nil {
		return mediaFacts{}, err
	}
	fileID, _ := id.(string)
	facts, found, err := e.lookupMedia(context.Background(), fileID)
	switch {
	case err != nil:
		return facts, err
	case !found:
		return facts, fmt.Errorf("file_id %q in state is not a media file in VOD", fileID)
	}
	return facts, nil
}

// expectMedia checks the media behind address: its stored bytes and whatever check adds.
func (e *testEnv) expectMedia(address string, content []byte, check func(mediaFacts) error) statecheck.StateCheck {
	return stateCheck(func(state *tfjson.State) error {
		media, err := e.mediaInState(state, address)
		if err != nil {
			return err
		}
		if string(media.Content) != string(content) || media.Size != int64(len(content)) {
			return fmt.Errorf("VOD stores %d bytes (size %d) that differ from the %d bytes of the file",
				len(media.Content), media.Size, len(content))
		}
		if check != nil {
			return check(media)
		}
		return nil
	})
}

// checkDestroyed verifies that every media file of the last state is gone, and (emulator) that no
// multipart upload was left pending.
func (e *testEnv) checkDestroyed(state *terraform.State) error {
	for _, rs := range state.RootModule().Resources {
		if rs.Type != "tencentvod_media" {
			continue
		}
		if _, found, err := e.lookupMedia(context.Background(), rs.Primary.ID); err != nil || found {
			return fmt.Errorf("media %s still exists after destroy (%v)", rs.Primary.ID, err)
		}
	}
	if e.emu != nil {
		if pending := e.emu.ObjectStore().PendingUploads(); len(pending) != 0 {
			return fmt.Errorf("%d multipart uploads left pending, first for %s", len(pending), pending[0].Key)
		}
	}
	return nil
}

// testClassID is a media category that exists besides 0: the emulator is told about 7; against the
// real API, TENCENTVOD_TEST_CLASS_ID names one of the account's (0 when unset).
func (e *testEnv) testClassID() int64 {
	if e.emu != nil {
		return emulatorTestClassID
	}
	id, _ := strconv.ParseInt(os.Getenv("TENCENTVOD_TEST_CLASS_ID"), 10, 64)
	return id
}

const emulatorTestClassID = 7
