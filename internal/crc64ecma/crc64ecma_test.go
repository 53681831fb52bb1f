package crc64ecma

import (
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

var table = crc64.MakeTable(crc64.ECMA)

func checksum(b []byte) uint64 { return crc64.Checksum(b, table) }

func TestCombineMatchesChecksumOnRandomSplits(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 70_000)
	for i := range data {
		data[i] = byte(rng.UintN(256))
	}
	splits := []int{0, 1, 7, 8, 9, 255, 4096, len(data) - 1, len(data)}
	for range 200 {
		splits = append(splits, rng.IntN(len(data)+1))
	}
	want := checksum(data)
	for _, at := range splits {
		a, b := data[:at], data[at:]
		if got := Combine(checksum(a), checksum(b), int64(len(b))); got != want {
			t.Fatalf("split at %d: Combine = %016x, want %016x", at, got, want)
		}
	}
}

func TestCombineEmptySecondPartReturnsFirst(t *testing.T) {
	t.Parallel()
	crc := checksum([]byte("hello"))
	if got := Combine(crc, 0, 0); got != crc {
		t.Fatalf("Combine(crc, 0, 0) = %016x, want %016x", got, crc)
	}
	if got := Combine(crc, checksum(nil), 0); got != crc {
		t.Fatalf("Combine(crc, crc(empty), 0) = %016x, want %016x", got, crc)
	}
	// The empty first part: CRC(empty||B) = CRC(B).
	crcB := checksum([]byte("world"))
	if got := Combine(checksum(nil), crcB, 5); got != crcB {
		t.Fatalf("Combine(crc(empty), crcB, 5) = %016x, want %016x", got, crcB)
	}
}

func TestCombineManyPartsLikeMultipartUpload(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var whole []byte
	var combined uint64
	for i := range 25 {
		part := make([]byte, rng.IntN(5000))
		for j := range part {
			part[j] = byte(rng.UintN(256))
		}
		whole = append(whole, part...)
		if i == 0 {
			combined = checksum(part)
			continue
		}
		combined = Combine(combined, checksum(part), int64(len(part)))
	}
	if want := checksum(whole); combined != want {
		t.Fatalf("combined = %016x, want %016x", combined, want)
	}
}

// TestCombineLargeLengths checks lengths far beyond what a test can allocate
// (up to 5 GiB and more) against an independent model: appending n zero bytes to
// the register multiplies it by x^(8n) modulo the polynomial, computed here by
// square-and-multiply polynomial arithmetic rather than Combine's bit matrices.
func TestCombineLargeLengths(t *testing.T) {
	t.Parallel()
	crc1 := checksum([]byte("the first part"))
	crc2 := checksum([]byte("the second part"))
	lengths := []int64{1, 2, 3, 1 << 20, 5 << 30, 5<<30 + 12345, 1<<40 + 7, 1<<60 - 1}
	// The model's exponent 8n must fit a uint64, hence 2^60 - 1 as the largest.
	for _, n := range lengths {
		want := mulmod(crc1, xPowMod(8*uint64(n))) ^ crc2
		if got := Combine(crc1, crc2, n); got != want {
			t.Fatalf("len2=%d: Combine = %016x, want %016x", n, got, want)
		}
	}
}

// TestCombineAssociative checks that grouping parts differently gives the same
// result, with lengths too large to materialise.
func TestCombineAssociative(t *testing.T) {
	t.Parallel()
	a, b, c := uint64(0x0123456789abcdef), uint64(0xfedcba9876543210), uint64(0x5555aaaa5555aaaa)
	lb, lc := int64(3<<30+17), int64(2<<30+5)
	left := Combine(Combine(a, b, lb), c, lc)
	right := Combine(a, Combine(b, c, lc), lb+lc)
	if left != right {
		t.Fatalf("(a+b)+c = %016x, a+(b+c) = %016x", left, right)
	}
	// The largest lengths use the top operator (2^62 bytes).
	lb, lc = 1<<62, 1<<62-1 // lb+lc = math.MaxInt64
	if l, r := Combine(Combine(a, b, lb), c, lc), Combine(a, Combine(b, c, lc), lb+lc); l != r {
		t.Fatalf("at MaxInt64: (a+b)+c = %016x, a+(b+c) = %016x", l, r)
	}
}

// TestModelMatchesChecksum keeps the large-length model honest on sizes that can
// be checked directly.
func TestModelMatchesChecksum(t *testing.T) {
	t.Parallel()
	head := []byte("prefix bytes")
	zeros := make([]byte, 3<<20+11)
	want := checksum(append(append([]byte{}, head...), zeros...))
	got := mulmod(checksum(head), xPowMod(8*uint64(len(zeros)))) ^ checksum(zeros)
	if got != want {
		t.Fatalf("model = %016x, want %016x", got, want)
	}
}

// In hash/crc64's reflected representation bit 63 is the coefficient of x^0 and
// bit 0 that of x^63; multiplying by x is a right shift, reducing x^64 by poly.
const one = uint64(1) << 63

func timesX(v uint64) uint64 {
	if v&1 != 0 {
		return v>>1 ^ poly
	}
	return v >> 1
}

func mulmod(a, b uint64) uint64 {
	var prod uint64
	for bit := one; bit != 0; bit >>= 1 {
		if a&bit != 0 {
			prod ^= b
		}
		b = timesX(b)
	}
	return prod
}

func xPowMod(k uint64) uint64 {
	result, base := one, timesX(one)
	for ; k != 0; k >>= 1 {
		if k&1 != 0 {
			result = mulmod(result, base)
		}
		base = mulmod(base, base)
	}
	return result
}

func BenchmarkCombine(b *testing.B) {
	for b.Loop() {
		Combine(1, 2, 8<<20)
	}
}
