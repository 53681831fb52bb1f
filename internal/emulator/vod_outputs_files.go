package emulator

import (
	"encoding/binary"
	"math"
)

// The video files of processing outputs (transcodes, DASH representations, HLS segments) are generated
// rather than copied from the original: they must be files of their own container whatever was
// uploaded (an MP3, an HLS package, a MOV), and they must stay downloadable after DeleteMedia's
// OriginalFiles removed the original, as VOD's transcodes do. They carry no samples: probes and
// content sniffers recognise the container; a player finds nothing to play.

// emptyMP4 is an ISO base media file of the given duration: an ftyp box (brands isom, iso2, avc1,
// mp41) and a moov box holding only the movie header.
func emptyMP4(durationSeconds float64) []byte {
	ftyp := mp4Box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2avc1mp41"))
	mvhd := make([]byte, 100)                                                          // version 0 and flags 0, then the fields below
	binary.BigEndian.PutUint32(mvhd[12:], 1000)                                        // timescale: milliseconds
	binary.BigEndian.PutUint32(mvhd[16:], uint32(math.Round(durationSeconds*1000)))    // duration
	binary.BigEndian.PutUint32(mvhd[20:], 0x00010000)                                  // rate 1.0
	binary.BigEndian.PutUint16(mvhd[24:], 0x0100)                                      // volume 1.0
	for i, v := range []uint32{0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000} { // unity matrix
		binary.BigEndian.PutUint32(mvhd[36+4*i:], v)
	}
	binary.BigEndian.PutUint32(mvhd[96:], 1) // next track ID
	return append(ftyp, mp4Box("moov", mp4Box("mvhd", mvhd))...)
}

func mp4Box(boxType string, payload []byte) []byte {
	box := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	box = append(box, boxType...)
	return append(box, payload...)
}

// MPEG transport stream constants (ISO/IEC 13818-1).
const (
	tsPacketSize = 188
	tsSyncByte   = 0x47
	tsPMTPID     = 0x1000
	tsVideoPID   = 0x0100
	tsNullPID    = 0x1FFF
)

// emptyTransportStream is an MPEG-TS segment as HLS serves them: a program association table, a
// program map table announcing one H.264 stream, and a null packet, each a 188-byte packet.
func emptyTransportStream() []byte {
	pat := tsSection(0x00, []byte{
		0x00, 0x01, // program number 1
		0xE0 | tsPMTPID>>8, tsPMTPID & 0xFF, // its PMT PID
	})
	pmt := tsSection(0x02, []byte{
		0xE0 | tsVideoPID>>8, tsVideoPID & 0xFF, // PCR PID
		0xF0, 0x00, // no program descriptors
		0x1B,                                    // stream type: H.264
		0xE0 | tsVideoPID>>8, tsVideoPID & 0xFF, // elementary PID
		0xF0, 0x00, // no stream descriptors
	})
	var out []byte
	out = append(out, tsPacket(0x0000, pat)...)
	out = append(out, tsPacket(tsPMTPID, pmt)...)
	return append(out, tsPacket(tsNullPID, nil)...)
}

// tsSection is a PSI section of table tableID with transport stream / program number 1, ending in its
// CRC-32.
func tsSection(tableID byte, body []byte) []byte {
	length := 5 + len(body) + 4 // the header fields after section_length, the body, the CRC
	section := []byte{tableID, 0xB0 | byte(length>>8), byte(length), 0x00, 0x01, 0xC1, 0x00, 0x00}
	section = append(section, body...)
	return binary.BigEndian.AppendUint32(section, mpegCRC32(section))
}

// tsPacket is one packet of pid whose payload is section (after a pointer field of 0) or, for a null
// packet, nothing; either is padded with 0xFF.
func tsPacket(pid uint16, section []byte) []byte {
	packet := []byte{tsSyncByte, byte(pid >> 8), byte(pid), 0x10} // payload only, continuity counter 0
	if section != nil {
		packet[1] |= 0x40             // payload unit start
		packet = append(packet, 0x00) // pointer field
		packet = append(packet, section...)
	}
	for len(packet) < tsPacketSize {
		packet = append(packet, 0xFF)
	}
	return packet
}

// mpegCRC32 is the CRC of MPEG-2 sections: polynomial 0x04C11DB7, not reflected, initial value
// 0xFFFFFFFF, no final XOR (hash/crc32 only offers the reflected form).
func mpegCRC32(data []byte) uint32 {
	crc := uint32(0xFFFFFFFF)
	for _, b := range data {
		crc ^= uint32(b) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04C11DB7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
