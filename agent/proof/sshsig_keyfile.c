/* Ed25519 key files for SSHSIG: the private key as PEM (PKCS#8), mode 0600,
 * read only when no one else can read it, its bytes wiped once parsed, and
 * written only as a new file. */
#include "sshsig_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "fileops.h"

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
  (void)buf;
  (void)size;
  (void)rwflag;
  (void)u;
  return -1;
}

/* Open path for reading a secret: no symlink, a regular file, not group- or
 * world-accessible, owned by us or root. Returns the fd or -1 with err set. */
static int open_secret(const char *path, struct stat *st, struct lethe_err *err)
{
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if(fd < 0) {
    if(errno == ELOOP)
      err_set(err, LETHE_E_UNSAFE, "%s: is a symbolic link; a signing key is never read "
              "through one", path);
    else
      err_sys(err, errno == ENOENT ? LETHE_E_NOTFOUND : LETHE_E_IO, "%s", path);
    return -1;
  }
  if(fstat(fd, st)) {
    err_sys(err, LETHE_E_IO, "%s: fstat", path);
    close(fd);
    return -1;
  }
  if(!S_ISREG(st->st_mode))
    err_set(err, LETHE_E_UNSAFE, "%s: not a regular file", path);
  else if(st->st_mode & 077)
    err_set(err, LETHE_E_UNSAFE, "%s: mode %04o lets group or others read the signing key; "
            "run chmod 600 %s", path, (unsigned)(st->st_mode & 07777), path);
  else if(st->st_uid != geteuid() && st->st_uid != 0)
    err_set(err, LETHE_E_UNSAFE, "%s: owned by uid %u, not by uid %u or root", path,
            (unsigned)st->st_uid, (unsigned)geteuid());
  else
    return fd;
  close(fd);
  return -1;
}

/* Read the whole of fd (at most KEYFILE_MAX bytes) into a new buffer. */
static lethe_rc read_secret(int fd, const char *path, unsigned char **out, size_t *out_len,
                            struct lethe_err *err)
{
  unsigned char *buf = malloc(KEYFILE_MAX + 1);
  size_t len = 0;
  ssize_t n;
  if(!buf)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  for(;;) {
    n = read(fd, buf + len, KEYFILE_MAX + 1 - len);
    if(n < 0 && errno == EINTR)
      continue;
    if(n <= 0)
      break;
    len += (size_t)n;
    if(len > KEYFILE_MAX)
      break;
  }
  if(n < 0 || len > KEYFILE_MAX) {
    if(n < 0)
      err_sys(err, LETHE_E_IO, "%s: read", path);
    else
      err_set(err, LETHE_E_RANGE, "%s: larger than %d bytes; not a key file", path,
              KEYFILE_MAX);
    explicit_bzero(buf, len);
    free(buf);
    return err->rc;
  }
  *out = buf;
  *out_len = len;
  return LETHE_OK;
}

static lethe_rc parse_private(const unsigned char *pem, size_t len, const char *path,
                              EVP_PKEY **out, struct lethe_err *err)
{
  static const char openssh[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
  BIO *bio = BIO_new_mem_buf(pem, (int)len);
  char why[256];
  if(!bio)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  *out = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
  BIO_free(bio);
  if(*out) {
    ERR_clear_error();
    return LETHE_OK;
  }
  sshsig_ossl_reason(why, sizeof(why));
  if(len >= sizeof(openssh) - 1 && !memcmp(pem, openssh, sizeof(openssh) - 1))
    return err_set(err, LETHE_E_PARSE, "%s: an OpenSSH-format key; lethe reads PEM "
                   "(PKCS#8) keys, such as 'lethe keygen' makes", path);
  return err_set(err, LETHE_E_PARSE, "%s: not an unencrypted PEM (PKCS#8) private key (%s)",
                 path, why);
}

lethe_rc sshsig_load(const char *path, struct sshsig_key **out, struct lethe_err *err)
{
  struct stat st;
  unsigned char *buf = NULL;
  size_t len = 0;
  EVP_PKEY *pkey = NULL;
  lethe_rc rc;
  int fd;
  struct lethe_err local;

  if(!err)
    err = &local;
  *out = NULL;
  fd = open_secret(path, &st, err);
  if(fd < 0)
    return err->rc;
  rc = read_secret(fd, path, &buf, &len, err);
  close(fd);
  if(rc)
    return rc;
  rc = parse_private(buf, len, path, &pkey, err);
  explicit_bzero(buf, len);
  free(buf);
  if(rc)
    return rc;
  rc = sshsig_key_from_pkey(pkey, 1, out, err);
  if(rc)
    return err_prefix(err, "%s", path);
  return LETHE_OK;
}

/* Split path into its directory (opened) and final name. */
static int open_parent(const char *path, const char **name, struct lethe_err *err)
{
  const char *slash = strrchr(path, '/');
  char *dir;
  int dfd;
  if(!slash) {
    *name = path;
    dir = strdup(".");
  } else {
    *name = slash + 1;
    dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
  }
  if(!dir) {
    err_set(err, LETHE_E_NOMEM, "out of memory");
    return -1;
  }
  if(!**name) {
    err_set(err, LETHE_E_USAGE, "%s: not a file name", path);
    free(dir);
    return -1;
  }
  dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(dfd < 0)
    err_sys(err, errno == ENOENT ? LETHE_E_NOTFOUND : LETHE_E_IO, "%s", dir);
  free(dir);
  return dfd;
}

/* Write data to a fresh temporary file next to name, fsync it, then link it
 * to name, which fails if name exists: name never holds a partial key, and
 * an existing file is never replaced. */
static lethe_rc write_new_secret(int dfd, const char *path, const char *name,
                                 const void *data, size_t len, struct lethe_err *err)
{
  unsigned char rnd[6];
  char tmp[64];
  int fd;
  lethe_rc rc;

  if(RAND_bytes(rnd, sizeof(rnd)) != 1) {
    ERR_clear_error();
    return err_set(err, LETHE_E_IO, "no random bytes for a temporary name");
  }
  snprintf(tmp, sizeof(tmp), ".lethe-key.%02x%02x%02x%02x%02x%02x.tmp", rnd[0], rnd[1],
           rnd[2], rnd[3], rnd[4], rnd[5]);
  fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if(fd < 0)
    return err_sys(err, LETHE_E_IO, "%s: cannot create a file next to it", path);
  rc = fileops_write_all(fd, data, len);
  if(!rc && fsync(fd))
    rc = LETHE_E_IO;
  if(rc)
    err_sys(err, LETHE_E_IO, "%s: write", path);
  if(close(fd) && !rc)
    rc = err_sys(err, LETHE_E_IO, "%s: close", path);
  if(!rc && linkat(dfd, tmp, dfd, name, 0)) {
    if(errno == EEXIST)
      rc = err_set(err, LETHE_E_UNSAFE, "%s: exists already; it is never overwritten", path);
    else
      rc = err_sys(err, LETHE_E_IO, "%s", path);
  }
  unlinkat(dfd, tmp, 0);
  if(!rc && fsync(dfd))
    rc = err_sys(err, LETHE_E_IO, "%s: fsync of its directory", path);
  return rc;
}

static lethe_rc store_private(EVP_PKEY *pkey, const char *path, struct lethe_err *err)
{
  /* A secure-heap memory BIO: OpenSSL clears its buffer when freed. */
  BIO *bio = BIO_new(BIO_s_secmem());
  char *pem = NULL;
  long len;
  const char *name;
  int dfd;
  lethe_rc rc;

  if(!bio)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  if(!PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)) {
    BIO_free(bio);
    ERR_clear_error();
    return err_set(err, LETHE_E_NOMEM, "cannot encode the new key");
  }
  len = BIO_get_mem_data(bio, &pem);
  dfd = open_parent(path, &name, err);
  if(dfd < 0) {
    rc = err->rc;
  } else {
    rc = write_new_secret(dfd, path, name, pem, (size_t)len, err);
    close(dfd);
  }
  if(pem && len > 0)
    explicit_bzero(pem, (size_t)len);
  BIO_free(bio);
  return rc;
}

lethe_rc sshsig_generate(const char *path, struct sshsig_key **out, struct lethe_err *err)
{
  EVP_PKEY *pkey;
  lethe_rc rc;
  struct lethe_err local;

  if(!err)
    err = &local;
  *out = NULL;
  pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
  if(!pkey) {
    char why[256];
    sshsig_ossl_reason(why, sizeof(why));
    return err_set(err, LETHE_E_IO, "cannot generate an Ed25519 key: %s", why);
  }
  rc = store_private(pkey, path, err);
  if(rc) {
    EVP_PKEY_free(pkey);
    return rc;
  }
  return sshsig_key_from_pkey(pkey, 1, out, err);
}
