package provider

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/localfile"
)

// This file holds every read of a local file the configuration names (source, cover_source). All of them
// go through localfile, which never blocks on a named pipe or device.

// planLocalFile checks at plan a local file that the apply will read, so that `terraform plan` already
// refuses a directory, a named pipe or other non-regular file, an empty file or one that cannot be read.
// A file that does not exist yet is only a warning: something earlier in the same apply may write it,
// and the apply checks it again before anything is sent. info is nil unless the file is fine.
func planLocalFile(attribute path.Path, file string) (fs.FileInfo, diag.Diagnostics) {
	info, missing, diags := checkLocalFile(attribute, file, "")
	if missing {
		var warning diag.Diagnostics
		warning.AddAttributeWarning(attribute, "Local File Not Found",
			fmt.Sprintf("%s %q does not exist now. The apply fails unless the file exists by then.", attribute, file))
		return nil, warning
	}
	return info, diags
}

// checkLocalFile checks that file can be sent now: a readable, non-empty regular file. It opens the file
// without blocking (a named pipe would otherwise hang Terraform for ever) and checks the type on the
// open descriptor. consequence ends each message, to say what the failure means at this stage. missing
// tells a file that does not exist apart from the other failures.
func checkLocalFile(attribute path.Path, file, consequence string) (info fs.FileInfo, missing bool, diags diag.Diagnostics) {
	info, err := localfile.CheckUploadable(file)
	if err != nil {
		return nil, errors.Is(err, fs.ErrNotExist), localFileError(attribute, file, err, consequence)
	}
	return info, false, diags
}

// localFileError explains why a local file cannot be used, naming its attribute.
func localFileError(attribute path.Path, file string, err error, consequence string) diag.Diagnostics {
	var diags diag.Diagnostics
	name := attribute.String()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		diags.AddAttributeError(attribute, "Unable to Read "+name,
			fmt.Sprintf("%s %q cannot be read: no such file.%s", name, file, consequence))
	case errors.Is(err, localfile.ErrEmpty):
		diags.AddAttributeError(attribute, "Empty "+name,
			fmt.Sprintf("%s %q is empty; VOD cannot store an empty file.%s", name, file, consequence))
	case errors.Is(err, localfile.ErrNotRegular):
		diags.AddAttributeError(attribute, "Unable to Read "+name,
			fmt.Sprintf("%s %q %s; only a regular file can be uploaded.%s", name, file, notRegularReason(err, file), consequence))
	default:
		diags.AddAttributeError(attribute, "Unable to Read "+name,
			fmt.Sprintf("%s %q cannot be read: %s.%s", name, file, fileErrorReason(err), consequence))
	}
	return diags
}

// notRegularReason is what localfile says a non-regular file is ("is a directory"), without the path
// that the message already names.
func notRegularReason(err error, file string) string {
	reason := strings.TrimPrefix(err.Error(), file+" ")
	return strings.TrimSuffix(reason, ": "+localfile.ErrNotRegular.Error())
}

// fileErrorReason is the cause of a failed open, without the path that the message already names.
func fileErrorReason(err error) string {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return err.Error()
}

// checkReadableFile fails early, before any API call, for a file that cannot be uploaded.
func checkReadableFile(attribute path.Path, file string) diag.Diagnostics {
	_, _, diags := checkLocalFile(attribute, file, " Nothing was uploaded.")
	return diags
}

// readInlineCover reads a cover for ModifyMediaInfo's CoverData (base64), without blocking on a file
// that is not a regular one.
func readInlineCover(file string) (string, diag.Diagnostics) {
	diags := checkInlineCover(file)
	if diags.HasError() {
		return "", diags
	}
	attribute := path.Root("cover_source")
	f, info, err := localfile.OpenRegular(file)
	if err != nil {
		diags.Append(localFileError(attribute, file, err, "")...)
		return "", diags
	}
	defer f.Close()
	if diags.Append(checkInlineCoverSize(file, info.Size())...); diags.HasError() {
		return "", diags
	}
	// Read one byte more than allowed, in case the file grew since it was measured.
	data, err := io.ReadAll(io.LimitReader(f, maxInlineCoverBytes+1))
	switch {
	case err != nil:
		diags.Append(localFileError(attribute, file, err, "")...)
	case len(data) == 0:
		diags.Append(localFileError(attribute, file, localfile.ErrEmpty, "")...)
	default:
		diags.Append(checkInlineCoverSize(file, int64(len(data)))...)
	}
	if diags.HasError() {
		return "", diags
	}
	return base64.StdEncoding.EncodeToString(data), diags
}

// checkInlineCoverSize keeps a cover sent with ModifyMediaInfo under the API's request size limit.
func checkInlineCoverSize(coverSource string, size int64) diag.Diagnostics {
	var diags diag.Diagnostics
	if size > maxInlineCoverBytes {
		diags.AddAttributeError(path.Root("cover_source"), "Cover Image Too Large",
			fmt.Sprintf("cover_source %q is %d bytes. A cover sent with ModifyMediaInfo must be at most %d MiB.",
				coverSource, size, maxInlineCoverBytes>>20))
	}
	return diags
}
