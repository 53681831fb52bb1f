// Package objectstore is a local stand-in for the subset of Tencent Cloud
// Object Storage (COS) that VOD uploads use: simple PUT, HEAD and GET of
// objects, signed with q-sign-algorithm=sha1 either in the Authorization
// header or as query parameters (presigned URLs).
//
// The store serves every bucket from one base URL (http://host:port/<key>):
// the bucket is the one granted to the signing SecretId, so a client that
// points cos-go-sdk-v5 at the emulator needs no DNS tricks. When the Host
// header does name a bucket (<name>-<appid>.cos.<region>.myqcloud.com) it must
// be the granted one.
//
// Object bytes are streamed to disk; metadata lives in memory. Storage is an
// interface whose staging and composing primitives are what multipart uploads
// need, so they can be added without reshaping the store.
//
// The verifier is written from the published algorithm
// (https://www.tencentcloud.com/document/product/436/7778) and is deliberately
// independent of cos-go-sdk-v5, which the tests use only to prove that real
// clients are accepted.
package objectstore
