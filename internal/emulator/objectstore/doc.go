// Package objectstore is a local stand-in for the subset of Tencent Cloud
// Object Storage (COS) that VOD uploads use: simple PUT, HEAD and GET of
// objects and multipart uploads (Initiate, UploadPart, Complete, ListParts,
// Abort), signed with q-sign-algorithm=sha1 either in the Authorization
// header or as query parameters (presigned URLs). A credential may run a
// multipart upload only on keys it may write.
//
// The store serves every bucket from one base URL (http://host:port/<key>):
// the bucket is the one granted to the signing SecretId, so a client that
// points cos-go-sdk-v5 at the emulator needs no DNS tricks. When the Host
// header does name a bucket (<name>-<appid>.cos.<region>.myqcloud.com) it must
// be the granted one.
//
// Object bytes are streamed to disk; metadata lives in memory. Storage is an
// interface of staging and composing primitives: a body (object or part) is
// staged while its MD5 and CRC-64 are computed, and CompleteMultipartUpload
// composes the parts without copying them (the disk storage links the part
// files and reads them back in order), so Complete costs O(parts) and
// multi-GiB objects are never copied or held in memory. The whole-object
// CRC-64 of a multipart object is combined from the parts' CRC-64s
// (package crc64ecma); its MD5 is not computed (ObjectInfo.MD5 is "").
//
// Store also has a Go API for the VOD emulator and tests (Stat, OpenObject,
// PutObjectBytes, DeleteObject, PendingUploads) and injectable faults
// (Fault), e.g. to fail or drop one part of an upload.
//
// The verifier is written from the published algorithm
// (https://www.tencentcloud.com/document/product/436/7778) and is deliberately
// independent of cos-go-sdk-v5, which the tests use only to prove that real
// clients are accepted.
package objectstore
