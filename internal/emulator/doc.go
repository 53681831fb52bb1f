// Package emulator is a strict local stand-in for the Tencent Cloud services the provider uses:
// the VOD API (2018-07-17: ApplyUpload, CommitUpload, DescribeMediaInfos, DeleteMedia,
// ModifyMediaInfo, SearchMedia, ProcessMediaByProcedure, DescribeTaskDetail, DescribeTasks; the media
// classes: CreateClass, DescribeAllClass, ModifyClass, DeleteClass), STS AssumeRole (2018-08-13), the
// CVM metadata credential service and, through
// package objectstore, the COS object storage that VOD uploads go to. Go tests start it in-process
// with Start; cmd/tencentvod-emulator runs it as a process.
//
// HLS and DASH packages: ParseStreamingManifest lists a manifest's files; the temporary key of a
// package session (MediaType m3u8 or mpd) may write any key under its media key's directory; CommitUpload
// makes the manifest and every file it lists, nested playlists included (all must be uploaded), one media
// file, whose files the media route serves next to the manifest and DeleteMedia removes with it.
//
// One port serves everything:
//
//	POST /  (not COS-signed)                         Tencent Cloud API 3.0 (service from the version and
//	                                                 action; the TC3 scope must name it)
//	GET  /latest/meta-data/cam/security-credentials/ CVM metadata (roles in Options.CVMRoles)
//	GET  /_emulator/{sessions,objects,media,calls,   read-only inspection JSON, without secrets
//	      classes}
//	GET  /_emulator/{tasks,procedures}               processing tasks (with their state now), task flows
//	POST /_emulator/procedures                       body NAME=TYPE:DEFINITION[:fail],...: add a task flow
//	POST /_emulator/tasks/fail?procedure=N&count=C   the next C tasks of task flow N fail
//	POST /_emulator/media/bulk                       JSON BulkMedia: thousands of media at chosen create
//	                                                 times, without uploads (Server.AddBulkMedia)
//	GET  /_media/<bucket>/<key>                      media and cover objects of media files and their
//	                                                 processing outputs, unsigned (MediaUrl/CoverUrl and
//	                                                 output URLs; Options.MediaBaseURL sets the host)
//	anything else                                    the object store
//
// The emulator rejects what the real service rejects: every request must carry a valid
// TC3-HMAC-SHA256 signature (verified by code written from the published algorithm, not the SDK's),
// the right X-TC-Version, a known action, a supported region, and only documented parameters of the
// documented JSON types. Errors use the real envelope and codes (HTTP 200, Response.Error). Faults,
// latency and rate limits can be injected to test clients' retry and timeout behaviour (including lost
// replies, Fault.AfterDispatch), and every call is recorded for assertions; Server.Media and friends
// expose the media files for assertions and out-of-band changes.
//
// Processing: a task flow (procedure) is a list of sub-tasks, each a type and a template definition.
// Built in (BuiltinProcedures): LongVideoPreset (adaptive 10: HLS), StreamingPreset (adaptive 10 and
// 20: HLS and DASH; transcode 100010 and 100030: 360p and 720p MP4; snapshot 10; sprite 10),
// TranscodePreset (transcode 100010, 100020, 100030, 100040: 360p to 1080p MP4), TranscodeAndSnapshot
// (transcode 100030, snapshot 10) and FailingPreset (transcode 100010, then adaptive 10, which fails).
// Options.Procedures adds names that run like LongVideoPreset, Options.ProcedureTemplates (or the
// -procedure flag, Server.AddProcedure, POST /_emulator/procedures) adds task flows with their steps.
// ProcessMediaByProcedure, and ApplyUpload's Procedure at CommitUpload, start a Procedure task. Its state
// follows Options.Clock: WAITING for the first quarter of Options.TaskDuration (default 3s), PROCESSING,
// then FINISH, when the outputs of its successful sub-tasks replace those of the same definitions on
// the media. A failed sub-task (a step marked fail, or Server.FailNextTasks) ends FAIL with ErrCode
// 70000 and ErrCodeExt InternalError while the task still ends FINISH, as VOD reports it. Sub-tasks
// also fail, with 60000, when the source cannot be processed: snapshots and image sprites of media
// without a picture (audio, images: SourceFileError.NoVideoMedia), and every sub-task of a task whose
// media or original is deleted before it finishes (SourceFileError). Outputs are served as small real files: HLS playlists, a DASH manifest, JPEG snapshots
// and sprite sheets, a WebVTT file, and MP4 (transcodes, DASH) and MPEG-TS (HLS segments) files that
// have no samples; they stay downloadable after DeleteMedia's OriginalFiles, as VOD's outputs do.
// MetaData is emulated from the size and type (see metaDataOf): video is 1280x720 at 2 Mbps, audio
// 128 kbps.
//
// Classes are kept per application (SubAppId) as VOD documents them: every application has the built-in
// class 0 ("SystemDefault", which cannot be renamed or deleted); a class name has 1-64 characters and is
// unique among its siblings; the tree is at most 4 levels deep (Level 0-3) with at most 500 subclasses
// per class; a class with subclasses or media cannot be deleted; class IDs are unique in the account and
// never reused. ApplyUpload, CommitUpload and ModifyMediaInfo refuse a class that does not exist in the
// application, media report their class's current name and path ("Top-Sub", names joined by "-"), and
// SearchMedia's ClassIds match subclasses too. Options.ClassIDs seeds top-level classes.
package emulator
