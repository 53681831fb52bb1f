package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	slashpath "path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/localfile"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/manifest"
	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// A source whose media_type is m3u8 or mpd is a streaming package: the manifest names segments (and,
// for an HLS master playlist, variant playlists naming more segments), which are uploaded with it and
// committed as one media. This file plans and uploads packages.
//
// The plan parses the manifests locally, so that it costs no API call, and shows the package's size and
// a fingerprint of its files that replaces the media when any of them changes. The apply parses them
// again and lets VOD decide with ParseStreamingManifest, before the upload session is opened.

// maxManifestBytes keeps a manifest within the API's 10 MB request limit, as ParseStreamingManifest's
// MediaManifestContent.
const maxManifestBytes = 8 << 20

const packageTitle = "Invalid Streaming Package"

// isPackageType reports whether media_type makes source a streaming package.
func isPackageType(mediaType types.String) bool {
	return isKnown(mediaType) && slices.Contains(manifest.Types, strings.ToLower(mediaType.ValueString()))
}

// localPackage is a package as the local files describe it.
type localPackage struct {
	manifestType string
	top          string // the top manifest, as source names it
	// manifests are the package's manifests in the order they were reached, the top one first, with
	// the files each lists (relative to its own directory), to compare with ParseStreamingManifest.
	manifests []listedManifest
	files     []vod.PackageFile // every file but the top manifest, each once
	bytes     int64             // of every file, the top manifest included
	// fingerprint is a digest of every file's path, size and modification time.
	fingerprint string
}

type listedManifest struct {
	rel, file string // relative to the top manifest's directory; the local path
	lists     []string
}

// packageError is a package that cannot be uploaded. missingTop tells a top manifest that does not
// exist (yet) from the other failures.
type packageError struct {
	message    string
	missingTop bool
}

func (e *packageError) Error() string { return e.message }

// scanPackage reads a package from disk: it parses every manifest, follows nested playlists and checks
// every file, before anything is uploaded.
func scanPackage(source, manifestType string) (*localPackage, error) {
	top, err := filepath.Abs(source)
	if err != nil {
		return nil, &packageError{message: fmt.Sprintf("source %q: %s", source, err)}
	}
	root, err := filepath.EvalSymlinks(filepath.Dir(top))
	if err != nil {
		return nil, &packageError{message: fmt.Sprintf("the directory of source %q cannot be read: %s", source, err)}
	}
	s := &packageScan{
		pkg:  &localPackage{manifestType: manifestType, top: source},
		root: root, dir: filepath.Dir(top),
		seen: map[string]string{}, digest: sha256.New(),
	}
	topRel := filepath.Base(top)
	info, err := localfile.CheckUploadable(top)
	if err != nil {
		return nil, &packageError{message: fmt.Sprintf("source %q cannot be uploaded: %s", source, err),
			missingTop: errors.Is(err, fs.ErrNotExist)}
	}
	s.count(topRel, info)
	s.seen[topRel] = "source"
	pending := []string{topRel}
	for len(pending) > 0 {
		rel := pending[0]
		pending = pending[1:]
		nested, err := s.readManifest(rel)
		if err != nil {
			return nil, err
		}
		pending = append(pending, nested...)
	}
	s.pkg.fingerprint = hex.EncodeToString(s.digest.Sum(nil))
	return s.pkg, nil
}

// packageScan is scanPackage in progress.
type packageScan struct {
	pkg       *localPackage
	root, dir string            // the top manifest's directory, with symlinks resolved and as named
	seen      map[string]string // every file reached, by its relative path, to the manifest listing it
	digest    hash.Hash
}

// readManifest parses the manifest at rel and checks the files it lists; it returns the nested
// manifests to read next.
func (s *packageScan) readManifest(rel string) ([]string, error) {
	file := s.local(rel)
	content, err := readManifestFile(file)
	if err != nil {
		return nil, &packageError{message: fmt.Sprintf("manifest %q cannot be read: %s", rel, err)}
	}
	lists, err := manifest.Files(s.pkg.manifestType, content)
	if err != nil {
		return nil, &packageError{message: fmt.Sprintf("manifest %q cannot be used: %s", rel, err)}
	}
	if len(lists) == 0 {
		return nil, &packageError{message: fmt.Sprintf("manifest %q lists no files", rel)}
	}
	s.pkg.manifests = append(s.pkg.manifests, listedManifest{rel: rel, file: file, lists: lists})
	var nested []string
	for _, listed := range lists {
		segment := slashpath.Join(slashpath.Dir(rel), listed)
		isManifest := manifest.IsNested(s.pkg.manifestType, listed)
		if by, reached := s.seen[segment]; reached {
			if isManifest || by == "source" {
				return nil, &packageError{message: fmt.Sprintf("manifest %q is reached twice, from %s and from %q: "+
					"a playlist that lists itself or an earlier one (a cycle) cannot be uploaded", segment, describeLister(by), rel)}
			}
			continue // a segment listed twice is uploaded once
		}
		s.seen[segment] = rel
		info, err := s.check(segment, rel)
		if err != nil {
			return nil, err
		}
		s.count(segment, info)
		s.pkg.files = append(s.pkg.files, vod.PackageFile{Path: s.local(segment), Rel: segment, Size: info.Size()})
		if isManifest {
			nested = append(nested, segment)
		}
	}
	return nested, nil
}

func describeLister(by string) string {
	if by == "source" {
		return "source (it is the top manifest)"
	}
	return strconv.Quote(by)
}

// check makes sure a listed file can be uploaded and, with symlinks resolved, stays in the top
// manifest's directory.
func (s *packageScan) check(segment, listedBy string) (fs.FileInfo, error) {
	file := s.local(segment)
	info, err := localfile.CheckUploadable(file)
	if err != nil {
		reason := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			reason = "no such file"
		}
		return nil, &packageError{message: fmt.Sprintf("segment %q listed by %q cannot be uploaded (%s): %s",
			segment, listedBy, file, reason)}
	}
	resolved, err := filepath.EvalSymlinks(file)
	if err != nil {
		return nil, &packageError{message: fmt.Sprintf("segment %q listed by %q cannot be read: %s", segment, listedBy, err)}
	}
	if inside, err := filepath.Rel(s.root, resolved); err != nil || inside == ".." || strings.HasPrefix(inside, ".."+string(filepath.Separator)) {
		return nil, &packageError{message: fmt.Sprintf("segment %q listed by %q is a link to %s, outside the "+
			"directory of source (%s): every file of a package must be in that directory or below it", segment,
			listedBy, resolved, s.root)}
	}
	return info, nil
}

func (s *packageScan) local(rel string) string { return filepath.Join(s.dir, filepath.FromSlash(rel)) }

// count adds a file to the package's size and fingerprint.
func (s *packageScan) count(rel string, info fs.FileInfo) {
	s.pkg.bytes += info.Size()
	fmt.Fprintf(s.digest, "%q %d %d\n", rel, info.Size(), info.ModTime().UnixNano())
}

// readManifestFile reads a manifest without blocking on a file that is not a regular one.
func readManifestFile(file string) ([]byte, error) {
	f, _, err := localfile.OpenRegular(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, maxManifestBytes+1))
	if err != nil {
		return nil, err
	}
	if len(content) > maxManifestBytes {
		return nil, fmt.Errorf("it is larger than %d MiB, more than ParseStreamingManifest accepts", maxManifestBytes>>20)
	}
	return content, nil
}

// planPackage fills package_files, package_bytes and package_fingerprint from the local files, and
// replaces the media when the fingerprint changed. state is nil at create. A package that cannot be
// uploaded is an error at create; once created, a package whose files cannot be read keeps its recorded
// values with a warning, as a single source file that changed is not noticed either. Values unknown at
// plan are only planned at create, whose apply knows them: an update must leave them known.
func planPackage(plan, state *mediaResourceModel) (replace bool, diags diag.Diagnostics) {
	if plan.Source.IsNull() || (isKnown(plan.MediaType) && !isPackageType(plan.MediaType)) {
		plan.setPackage(nil)
		return false, diags
	}
	if plan.Source.IsUnknown() || plan.MediaType.IsUnknown() {
		plan.setPackageUnknownOrKept(state)
		return false, diags
	}
	pkg, err := scanPackage(plan.Source.ValueString(), strings.ToLower(plan.MediaType.ValueString()))
	var bad *packageError
	switch {
	case err == nil:
		plan.setPackage(pkg)
		return state != nil && !state.PackageFingerprint.IsNull() && !plan.PackageFingerprint.Equal(state.PackageFingerprint), diags
	case state != nil:
		plan.setPackageUnknownOrKept(state)
		diags.AddAttributeWarning(path.Root("source"), "Streaming Package Not Checked",
			fmt.Sprintf("The package was uploaded, but its local files cannot be read now, so the plan cannot tell "+
				"whether they changed: %s. The media stays as it is.", err))
	case errors.As(err, &bad) && bad.missingTop:
		// planLocalFile already warned: something earlier in the apply may write the package.
		plan.setPackageUnknownOrKept(nil)
	default:
		diags.AddAttributeError(path.Root("source"), packageTitle, packageErrorDetail(err, ""))
	}
	return false, diags
}

func packageErrorDetail(err error, consequence string) string {
	return fmt.Sprintf("source is an HLS or DASH package, whose manifests, segments and nested playlists are all "+
		"uploaded: %s.%s", err, consequence)
}

// setPackageUnknownOrKept plans the package's values as known after apply at create, and as they are
// at update (state not nil).
func (m *mediaResourceModel) setPackageUnknownOrKept(state *mediaResourceModel) {
	if state != nil {
		m.PackageFiles, m.PackageBytes, m.PackageFingerprint = state.PackageFiles, state.PackageBytes, state.PackageFingerprint
		return
	}
	m.PackageFiles, m.PackageBytes, m.PackageFingerprint = types.Int64Unknown(), types.Int64Unknown(), types.StringUnknown()
}

// setPackage records a package's size and fingerprint, or nulls for media that is not a package.
func (m *mediaResourceModel) setPackage(pkg *localPackage) {
	if pkg == nil {
		m.PackageFiles, m.PackageBytes, m.PackageFingerprint = types.Int64Null(), types.Int64Null(), types.StringNull()
		return
	}
	m.PackageFiles = types.Int64Value(int64(len(pkg.files) + 1))
	m.PackageBytes = types.Int64Value(pkg.bytes)
	m.PackageFingerprint = types.StringValue(pkg.fingerprint)
}

// planUploadConcurrency plans upload_concurrency when the configuration leaves it out: the default for
// what source is, a file's parts or a package's files. While media_type is unknown so is the default,
// which the apply settles.
func planUploadConcurrency(plan, config *mediaResourceModel) {
	switch {
	case !config.UploadConcurrency.IsNull():
	case config.Source.IsNull():
		plan.UploadConcurrency = types.Int64Value(defaultUploadConcurrency)
	case plan.MediaType.IsUnknown():
		plan.UploadConcurrency = types.Int64Unknown()
	default:
		plan.UploadConcurrency = types.Int64Value(uploadConcurrencyDefault(plan.MediaType))
	}
}

// resolveUploadConcurrency settles at apply an upload_concurrency planned while media_type was unknown.
func resolveUploadConcurrency(plan *mediaResourceModel) {
	if plan.UploadConcurrency.IsUnknown() {
		plan.UploadConcurrency = types.Int64Value(uploadConcurrencyDefault(plan.MediaType))
	}
}

func uploadConcurrencyDefault(mediaType types.String) int64 {
	if isPackageType(mediaType) {
		return defaultPackageUploadConcurrency
	}
	return defaultUploadConcurrency
}

// uploadPackageAndCommit creates media from a package: it reads the package again, has VOD confirm
// every manifest's files, opens an upload session, uploads the package and the cover, and commits
// the session. Nothing is sent before every file is known to be uploadable, and a failed upload leaves
// nothing stored and nothing committed.
func (r *mediaResource) uploadPackageAndCommit(ctx context.Context, op operation, plan *mediaResourceModel) (*vod.CommitUploadResponse, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !plan.CoverSource.IsNull() {
		diags.Append(checkReadableFile(path.Root("cover_source"), plan.CoverSource.ValueString())...)
	}
	pkg, err := scanPackage(plan.Source.ValueString(), strings.ToLower(plan.MediaType.ValueString()))
	if err != nil {
		diags.AddAttributeError(path.Root("source"), packageTitle, packageErrorDetail(err, " Nothing was uploaded."))
		return nil, diags
	}
	if isKnown(plan.PackageFingerprint) && plan.PackageFingerprint.ValueString() != pkg.fingerprint {
		diags.AddAttributeError(path.Root("source"), "Streaming Package Changed Since Plan",
			"A file of the package (a manifest or a segment) changed between the plan and the apply, so the apply "+
				"would not upload what the plan showed. Nothing was uploaded; plan and apply again.")
		return nil, diags
	}
	plan.setPackage(pkg)
	request, d := plan.applyUploadRequest()
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	if diags.Append(confirmPackageWithVOD(ctx, op, pkg)...); diags.HasError() {
		return nil, diags
	}
	if startsProcedureAfterCommit(plan, false) {
		request.Procedure = "" // started after the commit instead, so that its task can be waited for
	}
	session, err := op.client.ApplyUpload(ctx, request)
	if err != nil {
		diags.Append(op.failed(ctx, "Unable to Open VOD Upload Session", "opening an upload session (ApplyUpload)",
			"Nothing was uploaded.", err))
		return nil, diags
	}
	ctx = maskSecrets(ctx, session.VodSessionKey, session.TempCertificate.SecretKey, session.TempCertificate.Token)
	if plan.StorageRegion.IsUnknown() {
		plan.StorageRegion = types.StringValue(session.StorageRegion)
	}
	if diags.Append(uploadPackage(ctx, op, plan, pkg, session)...); diags.HasError() {
		return nil, diags
	}
	committed, d := r.commit(ctx, op, plan, session.VodSessionKey, session)
	diags.Append(d...)
	return committed, diags
}

// confirmPackageWithVOD sends every manifest to ParseStreamingManifest, which decides what VOD takes
// from it: a file list that differs from the local parse would upload a package VOD reads differently.
func confirmPackageWithVOD(ctx context.Context, op operation, pkg *localPackage) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, m := range pkg.manifests {
		content, err := readManifestFile(m.file)
		if err != nil {
			diags.AddAttributeError(path.Root("source"), packageTitle,
				packageErrorDetail(fmt.Errorf("manifest %q cannot be read: %w", m.rel, err), " Nothing was uploaded."))
			return diags
		}
		parsed, err := op.client.ParseStreamingManifest(ctx, &vod.ParseStreamingManifestRequest{
			MediaManifestContent: string(content), ManifestType: pkg.manifestType,
		})
		if err != nil {
			diags.Append(op.failed(ctx, "Unable to Parse Streaming Manifest",
				fmt.Sprintf("parsing manifest %q of source (ParseStreamingManifest)", m.rel), "Nothing was uploaded.", err))
			return diags
		}
		if missing, extra := listDifference(m.lists, parsed.MediaSegmentSet); len(missing)+len(extra) > 0 {
			diags.AddAttributeError(path.Root("source"), "Streaming Manifest Read Differently by VOD",
				fmt.Sprintf("VOD's ParseStreamingManifest (RequestId %s) and the provider's own reading of manifest %q "+
					"list different files, so the package the plan showed is not the one VOD would store. Files only "+
					"the provider found: %s. Files only VOD found: %s. Nothing was uploaded; please report this with the "+
					"manifest.", parsed.RequestID, m.rel, describeFiles(missing), describeFiles(extra)))
			return diags
		}
	}
	return diags
}

// listDifference returns what only local and only remote list, comparing cleaned relative paths.
func listDifference(local, remote []string) (onlyLocal, onlyRemote []string) {
	clean := func(files []string) map[string]bool {
		set := make(map[string]bool, len(files))
		for _, f := range files {
			set[slashpath.Clean(f)] = true
		}
		return set
	}
	localSet, remoteSet := clean(local), clean(remote)
	for f := range localSet {
		if !remoteSet[f] {
			onlyLocal = append(onlyLocal, f)
		}
	}
	for f := range remoteSet {
		if !localSet[f] {
			onlyRemote = append(onlyRemote, f)
		}
	}
	slices.Sort(onlyLocal)
	slices.Sort(onlyRemote)
	return onlyLocal, onlyRemote
}

func describeFiles(files []string) string {
	if len(files) == 0 {
		return "none"
	}
	const shown = 10
	quoted := make([]string, 0, shown)
	for _, f := range files[:min(len(files), shown)] {
		quoted = append(quoted, strconv.Quote(f))
	}
	if len(files) > shown {
		quoted = append(quoted, fmt.Sprintf("and %d more", len(files)-shown))
	}
	return strings.Join(quoted, ", ")
}

// uploadPackage uploads the package and the cover to the session's directory.
func uploadPackage(ctx context.Context, op operation, plan *mediaResourceModel, pkg *localPackage, session *vod.ApplyUploadResponse) diag.Diagnostics {
	var diags diag.Diagnostics
	bucketURL, err := op.client.BucketURL(session.StorageBucket, session.StorageRegion)
	if err != nil {
		diags.AddError("Unable to Upload Media", "The upload session's bucket cannot be reached: "+err.Error())
		return diags
	}
	upload := vod.Package{Manifest: pkg.top, Files: pkg.files}
	if !plan.CoverSource.IsNull() {
		upload.Cover, upload.CoverStoragePath = plan.CoverSource.ValueString(), session.CoverStoragePath
	}
	tflog.Info(ctx, "uploading streaming package to VOD storage", map[string]any{
		"source": pkg.top, "files": len(pkg.files) + 1, "bytes": pkg.bytes,
	})
	result, err := op.client.UploadPackage(ctx, session.TempCertificate, bucketURL, session.MediaStoragePath, upload, vod.UploadOptions{
		PartSize:    plan.UploadPartSizeMiB.ValueInt64() << 20,
		Concurrency: int(plan.UploadConcurrency.ValueInt64()),
	})
	if err != nil {
		what := "Uploading the package"
		if cause := op.endedBecause(ctx); cause != "" {
			what = sentence(cause) + " while uploading the package"
		}
		diags.AddAttributeError(path.Root("source"), "Unable to Upload Media",
			fmt.Sprintf("%s %q to bucket %s failed, so nothing was committed to VOD: the files already stored "+
				"under the upload session's directory were deleted again (unless the error below says otherwise), "+
				"and the session expires unused.\n\n"+
				"Original Error: %s", what, pkg.top, session.StorageBucket, err))
		return diags
	}
	tflog.Info(ctx, "uploaded streaming package to VOD storage", map[string]any{
		"source": pkg.top, "files": result.Files, "bytes": strconv.FormatInt(result.Bytes, 10),
		"seconds": result.Duration.Round(time.Millisecond).Seconds(),
	})
	return diags
}

// planPackageOf plans the package attributes in ModifyPlan, with the state of an update, and marks
// the media for replacement when the package's files changed.
func (r *mediaResource) planPackageOf(ctx context.Context, req resource.ModifyPlanRequest, plan *mediaResourceModel, resp *resource.ModifyPlanResponse) diag.Diagnostics {
	var state *mediaResourceModel
	var diags diag.Diagnostics
	if !req.State.Raw.IsNull() {
		state = &mediaResourceModel{}
		if diags.Append(req.State.Get(ctx, state)...); diags.HasError() {
			return diags
		}
	}
	replace, d := planPackage(plan, state)
	diags.Append(d...)
	if replace {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("package_fingerprint"))
	}
	return diags
}
