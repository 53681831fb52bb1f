// Package crc64ecma combines CRC-64/ECMA checksums, the checksum COS reports in
// the x-cos-hash-crc64ecma header (Go's hash/crc64 with the crc64.ECMA table).
//
// A multipart object's checksum is the CRC of its parts concatenated; Combine
// derives it from the parts' own checksums and lengths without reading the data,
// so both the emulator (at CompleteMultipartUpload) and the uploader (to verify
// the server's answer) can work in O(parts) instead of O(bytes).
package crc64ecma

// poly is the ECMA-182 polynomial in the reflected bit order that hash/crc64 uses
// (crc64.ECMA).
const poly = 0xC96C5795D7870F42

// Combine returns the CRC-64/ECMA of A||B given crc1 = CRC(A), crc2 = CRC(B) and
// len2 = len(B). A non-positive len2 means B is empty and crc1 is returned.
//
// Why this works: hash/crc64 pre- and post-inverts the register, so
// CRC(A||B) = CRC(A) shifted through len2 zero bytes, XOR CRC(B) (the inversion
// terms cancel: appending zeros to A with the inverted init behaves as B's own
// init would). Shifting a register through zero bits is a linear map over GF(2),
// i.e. a 64x64 bit matrix; zeroBytes holds the matrices for 1, 2, 4, ... zero
// bytes and Combine applies the ones selected by len2's set bits, so a call costs
// at most 63 matrix-vector products whatever the length.
func Combine(crc1, crc2 uint64, len2 int64) uint64 {
	if len2 <= 0 {
		return crc1
	}
	for k := 0; len2 != 0; k, len2 = k+1, len2>>1 {
		if len2&1 != 0 {
			crc1 = times(&zeroBytes[k], crc1)
		}
	}
	return crc1 ^ crc2
}

// zeroBytes[k] is the operator that shifts a register through 2^k zero bytes;
// 63 entries cover every positive int64 length.
var zeroBytes = buildZeroByteOperators()

func buildZeroByteOperators() *[63][64]uint64 {
	var ops [63][64]uint64
	// One zero bit: the register shifts right by one, and the bit shifted out
	// feeds back the polynomial. Column i is the image of bit i.
	var op [64]uint64
	op[0] = poly
	for i := 1; i < 64; i++ {
		op[i] = 1 << (i - 1)
	}
	for range 3 { // 1 -> 2 -> 4 -> 8 zero bits = one zero byte
		op = square(&op)
	}
	ops[0] = op
	for k := 1; k < len(ops); k++ {
		ops[k] = square(&ops[k-1])
	}
	return &ops
}

// times multiplies the GF(2) matrix mat by the vector vec: the XOR of the
// columns selected by vec's set bits.
func times(mat *[64]uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

// square returns mat*mat.
func square(mat *[64]uint64) [64]uint64 {
	var sq [64]uint64
	for i := range 64 {
		sq[i] = times(mat, mat[i])
	}
	return sq
}
