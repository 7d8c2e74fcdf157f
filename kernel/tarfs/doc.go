// Package tarfs reads task programs out of a tar archive stored raw on a
// block device, without a file system and without reading whole files.
//
// The kernel's program disk holds the bytes of an archive made by
// cmd/mkprograms (make programs), which starts every member's data on a
// 4 KiB page, or by any tar whose output is whole pages, such as
//
//	tar -b 8 --format=ustar -cf programs.tar -C dir *.elf
//
// (-b 8 makes GNU tar write records of 8×512 bytes, so the image is a
// multiple of the disk's 4 KiB page). Open scans the member headers once
// and keeps an index of the regular files; a File is an io.ReaderAt over
// its data, which the ELF loader and the vm pager read one page at a time
// as tasks fault their text and data in.
//
// # On-disk layout
//
// A tar archive is a sequence of 512-byte blocks (POSIX.1-2001, IEEE Std
// 1003.1, "pax" utility, section "ustar Interchange Format"). Each member
// is one header block followed by its data, padded with zeros to a whole
// block; the archive ends with two blocks of zeros, and the writer pads the
// whole to a multiple of its record size (-b 8: 4096 bytes).
//
//	byte offset        block
//	0          +--------------------------+  <- page 0
//	           | header: a.elf, size 1300 |
//	512        +--------------------------+
//	           | data   a.elf [0,512)     |
//	1024       +--------------------------+
//	           | data   a.elf [512,1024)  |
//	1536       +--------------------------+
//	           | data   a.elf [1024,1300) |
//	           | zero pad to 512          |
//	2048       +--------------------------+
//	           | header: b.elf, size 9000 |
//	2560       +--------------------------+
//	           | data   b.elf ...         |  data may cross page
//	4096       +- - - - - - - - - - - - - +  <- page 1  boundaries
//	           |   ... 18 blocks ...      |
//	11776      +--------------------------+
//	           | zero block  (end)        |
//	12288      +--------------------------+  <- page 3
//	           | zero block  (end)        |
//	12800      +--------------------------+
//	           | zero pad to the record   |
//	16384      +--------------------------+  <- end of device (page 4)
//
// A header block (ustar; offsets in bytes, numbers in octal ASCII):
//
//	  0 name[100]     100 mode[8]     108 uid[8]      116 gid[8]
//	124 size[12]      136 mtime[12]   148 chksum[8]   156 typeflag[1]
//	157 linkname[100] 257 magic[6]    263 version[2]  265 uname[32]
//	297 gname[32]     329 devmajor[8] 337 devminor[8] 345 prefix[155]
//	500 unused[12]
//
// The full name of a ustar member is prefix + "/" + name. Names too long
// for that, and sizes too large for 11 octal digits, are carried by
// extension headers, members of their own that modify the member after
// them:
//
//   - pax extended header, typeflag 'x' (POSIX.1-2001 "pax Extended Header
//     File Format"): its data is a list of records "<len> <key>=<value>\n";
//     tarfs honours the keys "path" and "size". Global headers ('g') are
//     skipped.
//   - GNU long name, typeflag 'L' (GNU tar manual, "Basic Tar Format"): its
//     data is the next member's name, NUL-terminated. 'K' (long link name)
//     is skipped.
//
// GNU tar also writes numbers too large for octal in base-256: the first
// byte of the field has its high bit set and the remaining bits, big
// endian, are the value (GNU tar manual, "Basic Tar Format").
//
// # Reading
//
// The device is read only in whole 4 KiB pages. An Archive keeps one page of
// cache, the last page it read, so a scan of many small headers reads each
// page once; ReadAt of a whole page at a page-aligned device offset reads
// straight into the caller's buffer. Stats counts every page read.
package tarfs
