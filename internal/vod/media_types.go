package vod

import "strings"

// File extensions that ApplyUpload accepts, as listed in the VOD upload overview and upload FAQ.
// The API takes the bare extension; SDKs send it in lowercase.
var (
	// VideoMediaTypes are the accepted video container extensions.
	VideoMediaTypes = []string{
		"wmv", "rm", "mov", "mpeg", "mp4", "3gp", "flv", "avi", "rmvb", "ts", "asf", "mpg", "webm",
		"mkv", "m3u8", "wm", "asx", "ram", "mpe", "vob", "dat", "mp4v", "m4v", "f4v", "mxf", "qt", "ogg",
		"mpd", // a DASH manifest, uploaded as a package with its segments like m3u8
	}

	// AudioMediaTypes are the accepted audio extensions. "ogg" is listed as both video and audio.
	AudioMediaTypes = []string{"mp3", "m4a", "flac", "ogg", "wav", "ra", "aac", "amr"}

	// CoverTypes are the accepted cover image extensions, including TIF and HEIF from the upload FAQ.
	CoverTypes = []string{"jpg", "jpeg", "png", "gif", "bmp", "tiff", "tif", "ai", "cdr", "eps", "heif"}
)

// MediaTypes returns every accepted media extension (video then audio) without duplicates.
func MediaTypes() []string {
	seen := make(map[string]bool, len(VideoMediaTypes)+len(AudioMediaTypes))
	var all []string
	for _, t := range append(append([]string{}, VideoMediaTypes...), AudioMediaTypes...) {
		if !seen[t] {
			seen[t] = true
			all = append(all, t)
		}
	}
	return all
}

// NormalizeFileType returns the form the API expects for a media or cover type. Users may write
// "MP4" as the upload overview does; the SDKs and the API's examples use lowercase.
func NormalizeFileType(t string) string {
	return strings.ToLower(t)
}
