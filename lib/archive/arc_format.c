#include "arc_format.h"

#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#define TAR_FULL (ARC_KEEP_NSEC | ARC_KEEP_ATIME | ARC_KEEP_CTIME | ARC_KEEP_BIRTHTIME | \
                  ARC_KEEP_IDS | ARC_KEEP_NAMES | ARC_KEEP_XATTR | ARC_KEEP_ACL | \
                  ARC_KEEP_FFLAGS | ARC_KEEP_SPARSE | ARC_KEEP_HARDLINK | ARC_KEEP_SYMLINK | \
                  ARC_KEEP_DEVICE | ARC_KEEP_LONGNAME)
/* pax-restricted writes times to the extended header only when an entry
 * needs one for something else. */
#define TAR_RESTRICTED (TAR_FULL & ~(ARC_KEEP_NSEC | ARC_KEEP_ATIME | ARC_KEEP_CTIME | \
                                     ARC_KEEP_BIRTHTIME))
#define TAR_GNU (ARC_KEEP_IDS | ARC_KEEP_NAMES | ARC_KEEP_HARDLINK | ARC_KEEP_SYMLINK | \
                 ARC_KEEP_DEVICE | ARC_KEEP_LONGNAME)
/* Extended attributes as GNU tar and star write them, once: libarchive's
 * default also writes each one again as LIBARCHIVE.xattr, which a reader
 * then finds twice. */
#define PAX_OPTIONS "xattrheader=SCHILY"
#define CPIO_KEEPS (ARC_KEEP_IDS | ARC_KEEP_HARDLINK | ARC_KEEP_SYMLINK | ARC_KEEP_DEVICE | \
                    ARC_KEEP_LONGNAME)

static const struct arc_format formats[] = {
  { ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE, "tar (pax)", archive_write_set_format_pax, NULL,
    TAR_FULL, 0, PAX_OPTIONS },
  { ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, "tar (pax, restricted)",
    archive_write_set_format_pax_restricted, NULL, TAR_RESTRICTED,
    ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE, PAX_OPTIONS },
  /* ustar is written by the pax-restricted writer, which writes a plain
   * ustar header for every entry that ustar can hold (all of a ustar
   * archive's) and an extended header only where an entry needs one. */
  { ARCHIVE_FORMAT_TAR_USTAR, "tar (ustar)", archive_write_set_format_pax_restricted, NULL,
    TAR_RESTRICTED, ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE, PAX_OPTIONS },
  { ARCHIVE_FORMAT_TAR_GNUTAR, "tar (GNU)", archive_write_set_format_gnutar, NULL, TAR_GNU,
    ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, NULL },
  { ARCHIVE_FORMAT_TAR, "tar (v7)", archive_write_set_format_v7tar, NULL,
    ARC_KEEP_IDS | ARC_KEEP_HARDLINK | ARC_KEEP_SYMLINK, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, NULL },
  { ARCHIVE_FORMAT_ZIP, "zip", archive_write_set_format_zip, NULL,
    ARC_KEEP_ATIME | ARC_KEEP_CTIME | ARC_KEEP_IDS | ARC_KEEP_SYMLINK | ARC_KEEP_LONGNAME, 0, NULL },
  { ARCHIVE_FORMAT_7ZIP, "7-Zip", archive_write_set_format_7zip, NULL,
    ARC_KEEP_NSEC | ARC_KEEP_ATIME | ARC_KEEP_CTIME | ARC_KEEP_SYMLINK | ARC_KEEP_LONGNAME, 0, NULL },
  { ARCHIVE_FORMAT_CPIO_POSIX, "cpio (odc)", archive_write_set_format_cpio_odc, NULL,
    CPIO_KEEPS, 0, NULL },
  { ARCHIVE_FORMAT_CPIO_SVR4_NOCRC, "cpio (newc)", archive_write_set_format_cpio_newc, NULL,
    CPIO_KEEPS, 0, NULL },
  { ARCHIVE_FORMAT_CPIO_SVR4_CRC, "cpio (newc with checksums)", NULL,
    "libarchive writes newc cpio only without checksums", 0, 0, NULL },
  { ARCHIVE_FORMAT_CPIO_BIN_LE, "cpio (binary)", archive_write_set_format_cpio_bin, NULL,
    CPIO_KEEPS, 0, NULL },
  { ARCHIVE_FORMAT_CPIO_BIN_BE, "cpio (binary, big-endian)", NULL,
    "libarchive writes binary cpio only little-endian", 0, 0, NULL },
  { ARCHIVE_FORMAT_CPIO_PWB, "cpio (PWB)", archive_write_set_format_cpio_pwb, NULL,
    CPIO_KEEPS, 0, NULL },
  { ARCHIVE_FORMAT_CPIO_AFIO_LARGE, "cpio (afio large)", NULL,
    "libarchive cannot write afio cpio", 0, 0, NULL },
  { ARCHIVE_FORMAT_AR, "ar", NULL, "the purge does not rewrite ar archives", 0, 0, NULL },
  { ARCHIVE_FORMAT_AR_GNU, "ar (GNU)", NULL, "the purge does not rewrite ar archives", 0, 0, NULL },
  { ARCHIVE_FORMAT_AR_BSD, "ar (BSD)", NULL, "the purge does not rewrite ar archives", 0, 0, NULL },
  { ARCHIVE_FORMAT_ISO9660, "ISO 9660", NULL,
    "an ISO 9660 image is a file system: the purge does not rewrite it", 0, 0, NULL },
  { ARCHIVE_FORMAT_XAR, "xar", NULL, "the purge does not rewrite xar archives", 0, 0, NULL },
  { ARCHIVE_FORMAT_WARC, "WARC", NULL, "the purge does not rewrite WARC files", 0, 0, NULL },
  { ARCHIVE_FORMAT_LHA, "LHA", NULL, "libarchive cannot write LHA", 0, 0, NULL },
  { ARCHIVE_FORMAT_CAB, "CAB", NULL, "libarchive cannot write CAB", 0, 0, NULL },
  { ARCHIVE_FORMAT_RAR, "RAR", NULL, "libarchive cannot write RAR", 0, 0, NULL },
  { ARCHIVE_FORMAT_RAR_V5, "RAR 5", NULL, "libarchive cannot write RAR", 0, 0, NULL },
};

static const struct arc_filter filters[] = {
  { ARCHIVE_FILTER_NONE, "none", archive_read_support_filter_none,
    archive_write_add_filter_none, NULL },
  { ARCHIVE_FILTER_GZIP, "gzip", archive_read_support_filter_gzip,
    archive_write_add_filter_gzip, "compression-level=6" },
  { ARCHIVE_FILTER_BZIP2, "bzip2", archive_read_support_filter_bzip2,
    archive_write_add_filter_bzip2, "compression-level=9" },
  { ARCHIVE_FILTER_XZ, "xz", archive_read_support_filter_xz, archive_write_add_filter_xz,
    "compression-level=6" },
  { ARCHIVE_FILTER_LZMA, "lzma", archive_read_support_filter_lzma,
    archive_write_add_filter_lzma, "compression-level=6" },
  { ARCHIVE_FILTER_LZIP, "lzip", archive_read_support_filter_lzip,
    archive_write_add_filter_lzip, "compression-level=6" },
  { ARCHIVE_FILTER_ZSTD, "zstd", archive_read_support_filter_zstd,
    archive_write_add_filter_zstd, "compression-level=3" },
  { ARCHIVE_FILTER_LZ4, "lz4", archive_read_support_filter_lz4, archive_write_add_filter_lz4,
    NULL },
  { ARCHIVE_FILTER_COMPRESS, "compress", archive_read_support_filter_compress,
    archive_write_add_filter_compress, NULL },
  { ARCHIVE_FILTER_UU, "uuencode", archive_read_support_filter_uu,
    archive_write_add_filter_uuencode, NULL },
  { ARCHIVE_FILTER_RPM, "rpm", archive_read_support_filter_rpm, NULL, NULL },
  { ARCHIVE_FILTER_LZOP, "lzop", archive_read_support_filter_lzop, NULL, NULL },
  { ARCHIVE_FILTER_LRZIP, "lrzip", archive_read_support_filter_lrzip, NULL, NULL },
  { ARCHIVE_FILTER_GRZIP, "grzip", archive_read_support_filter_grzip, NULL, NULL },
};

#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))
#define N_FILTERS (sizeof(filters) / sizeof(filters[0]))

/* Formats read (mtree, raw and empty are left out on purpose). */
static int (*const format_readers[])(struct archive *) = {
  archive_read_support_format_tar,  archive_read_support_format_zip,
  archive_read_support_format_7zip, archive_read_support_format_cpio,
  archive_read_support_format_ar,   archive_read_support_format_iso9660,
  archive_read_support_format_xar,  archive_read_support_format_lha,
  archive_read_support_format_cab,  archive_read_support_format_rar,
  archive_read_support_format_rar5, archive_read_support_format_warc,
};

const struct arc_format *arc_format_find(int code)
{
  const struct arc_format *family = NULL;
  int n = 0;
  for(size_t i = 0; i < N_FORMATS; i++) {
    if(formats[i].code == code)
      return &formats[i];
    if((formats[i].code & ARCHIVE_FORMAT_BASE_MASK) == (code & ARCHIVE_FORMAT_BASE_MASK)) {
      family = &formats[i];
      n++;
    }
  }
  return n == 1 ? family : NULL;
}

const struct arc_filter *arc_filter_find(int code)
{
  for(size_t i = 0; i < N_FILTERS; i++)
    if(filters[i].code == code)
      return &filters[i];
  return NULL;
}

/* Whether libarchive decompresses this filter by itself: asked once on a
 * scratch handle, since a reader registered through an external program
 * cannot be taken back. */
static bool filter_is_builtin(const struct arc_filter *f)
{
  static signed char known[N_FILTERS];   /* 0 unknown, 1 built in, -1 not */
  size_t i = (size_t)(f - filters);
  if(!known[i]) {
    struct archive *probe = archive_read_new();
    int r = probe ? f->add_reader(probe) : ARCHIVE_FATAL;
    known[i] = r == ARCHIVE_OK ? 1 : -1;
    archive_read_free(probe);
  }
  return known[i] > 0;
}

lethe_rc arc_format_setup_read(struct archive *a, struct arc_err *err)
{
  for(size_t i = 0; i < sizeof(format_readers) / sizeof(format_readers[0]); i++)
    if(format_readers[i](a) != ARCHIVE_OK)
      return arc_err_set(err, LETHE_E_PLUGIN, "libarchive: %s", archive_error_string(a));
  for(size_t i = 0; i < N_FILTERS; i++)
    if(filter_is_builtin(&filters[i]) && filters[i].add_reader(a) != ARCHIVE_OK)
      return arc_err_set(err, LETHE_E_PLUGIN, "libarchive: %s", archive_error_string(a));
  return LETHE_OK;
}

static bool long_text(const char *s)
{
  return s && strlen(s) > 100;
}

unsigned arc_format_entry_needs(struct archive_entry *e)
{
  unsigned need = 0;
  mode_t type = archive_entry_filetype(e);
  if(archive_entry_mtime_is_set(e) && archive_entry_mtime_nsec(e))
    need |= ARC_KEEP_NSEC;
  if(archive_entry_atime_is_set(e))
    need |= ARC_KEEP_ATIME;
  if(archive_entry_ctime_is_set(e))
    need |= ARC_KEEP_CTIME;
  if(archive_entry_birthtime_is_set(e))
    need |= ARC_KEEP_BIRTHTIME;
  if(archive_entry_uid(e) || archive_entry_gid(e))
    need |= ARC_KEEP_IDS;
  if((archive_entry_uname(e) && *archive_entry_uname(e)) ||
     (archive_entry_gname(e) && *archive_entry_gname(e)))
    need |= ARC_KEEP_NAMES;
  if(archive_entry_xattr_count(e) > 0)
    need |= ARC_KEEP_XATTR;
  if(archive_entry_acl_types(e) != 0)
    need |= ARC_KEEP_ACL;
  {
    unsigned long set = 0, clear = 0;
    archive_entry_fflags(e, &set, &clear);
    if(set || clear)
      need |= ARC_KEEP_FFLAGS;
  }
  if(archive_entry_sparse_count(e) > 0)
    need |= ARC_KEEP_SPARSE;
  if(archive_entry_hardlink(e))
    need |= ARC_KEEP_HARDLINK;
  if(type == AE_IFLNK)
    need |= ARC_KEEP_SYMLINK;
  if(type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || type == AE_IFSOCK)
    need |= ARC_KEEP_DEVICE;
  if(long_text(archive_entry_pathname(e)) || long_text(archive_entry_symlink(e)) ||
     long_text(archive_entry_hardlink(e)))
    need |= ARC_KEEP_LONGNAME;
  return need;
}

void arc_keep_names(unsigned flags, char *out, size_t outlen)
{
  static const char *const names[] = {
    "sub-second modification time", "access time", "change time", "creation time",
    "numeric owner and group", "owner and group names", "extended attributes",
    "access control lists", "file flags", "holes of sparse files", "hard links",
    "symbolic links", "device, fifo and socket entries", "names over 100 bytes",
  };
  size_t o = 0;
  out[0] = '\0';
  for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    int n;
    if(!(flags & (1u << i)))
      continue;
    n = snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", names[i]);
    if(n < 0 || (size_t)n >= outlen - o)
      return;
    o += (size_t)n;
  }
}
