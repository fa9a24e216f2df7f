/* sshsig: signatures round-trip, and anything altered, truncated or foreign
 * is refused without a crash; key files that others can read, or symlinks,
 * are refused. Interoperability with ssh-keygen is tests/keys/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sshsig.h"

#define MSG "certificate body\n{\"id\":\"x\"}\n"
#define ARMOR_BEGIN "-----BEGIN SSH SIGNATURE-----\n"
#define ARMOR_END "-----END SSH SIGNATURE-----\n"

struct fixture {
  char dir[64];
  char key_path[128];
  struct sshsig_key *key;
  struct dynbuf sig;    /* a signature of MSG, namespace certificate@lethe */
};

static int setup(void **state)
{
  struct fixture *f = calloc(1, sizeof(*f));
  struct lethe_err err;
  assert_non_null(f);
  strcpy(f->dir, "/tmp/lethe-test-sshsig.XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->key_path, sizeof(f->key_path), "%s/signing.key", f->dir);
  if(sshsig_generate(f->key_path, &f->key, &err))
    fail_msg("generate: %s", err.msg);
  db_init(&f->sig, 64 * 1024);
  if(sshsig_sign(f->key, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG), &f->sig, &err))
    fail_msg("sign: %s", err.msg);
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *f = *state;
  char cmd[160];
  sshsig_free(f->key);
  db_release(&f->sig);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
  if(system(cmd))
    return -1;
  free(f);
  return 0;
}

static lethe_rc verify(const char *armored, size_t len, const char *ns, const char *msg,
                       size_t msg_len, struct lethe_err *err)
{
  return sshsig_verify(armored, len, ns, msg, msg_len, NULL, err);
}

/* The signature blob inside the armor, decoded. */
static size_t decode_blob(const struct dynbuf *sig, unsigned char *blob)
{
  char b64[4096] = "";
  size_t n = 0;
  int k;
  const char *p = sig->mem + strlen(ARMOR_BEGIN);
  const char *end = strstr(p, "-----END");
  for(; p < end; p++)
    if(*p != '\n')
      b64[n++] = *p;
  k = EVP_DecodeBlock(blob, (unsigned char *)b64, (int)n);
  assert_true(k > 0);
  while(n && b64[n - 1] == '=') {
    n--;
    k--;
  }
  return (size_t)k;
}

/* Armor blob[0..n) as sshsig does (lines of 70). */
static void armor_blob(const unsigned char *blob, size_t n, struct dynbuf *out)
{
  char b64[4096];
  int k = EVP_EncodeBlock((unsigned char *)b64, blob, (int)n);
  db_reset(out);
  assert_int_equal(db_adds(out, ARMOR_BEGIN), LETHE_OK);
  for(int i = 0; i < k; i += 70) {
    assert_int_equal(db_add(out, b64 + i, (size_t)(k - i < 70 ? k - i : 70)), LETHE_OK);
    assert_int_equal(db_add(out, "\n", 1), LETHE_OK);
  }
  assert_int_equal(db_adds(out, ARMOR_END), LETHE_OK);
}

static void test_round_trip(void **state)
{
  struct fixture *f = *state;
  struct sshsig_key *signer = NULL, *loaded = NULL;
  struct lethe_err err;
  struct dynbuf fp1, fp2;

  assert_int_equal(strncmp(f->sig.mem, ARMOR_BEGIN, strlen(ARMOR_BEGIN)), 0);
  assert_string_equal(f->sig.mem + f->sig.len - strlen(ARMOR_END), ARMOR_END);
  if(sshsig_verify(f->sig.mem, f->sig.len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG), &signer,
                   &err))
    fail_msg("verify: %s", err.msg);
  assert_non_null(signer);
  assert_true(sshsig_same_public(signer, f->key));

  /* The key reloaded from its file is the same key and signs alike
   * (Ed25519 is deterministic). */
  if(sshsig_load(f->key_path, &loaded, &err))
    fail_msg("load: %s", err.msg);
  assert_true(sshsig_same_public(loaded, f->key));
  db_init(&fp1, 4096);
  db_init(&fp2, 4096);
  assert_int_equal(sshsig_sign(loaded, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG), &fp1, &err),
                   LETHE_OK);
  assert_string_equal(db_str(&fp1), db_str(&f->sig));
  db_reset(&fp1);
  assert_int_equal(sshsig_fingerprint(loaded, &fp1), LETHE_OK);
  assert_int_equal(sshsig_fingerprint(signer, &fp2), LETHE_OK);
  assert_string_equal(db_str(&fp1), db_str(&fp2));
  assert_int_equal(strncmp(db_str(&fp1), "SHA256:", 7), 0);
  assert_int_equal(fp1.len, 7 + 43);

  /* Without a final newline it is still the same signature. */
  assert_int_equal(verify(f->sig.mem, f->sig.len - 1, SSHSIG_NS_CERTIFICATE, MSG,
                          strlen(MSG), &err), LETHE_OK);
  /* Empty message, and signing with a public key only. */
  db_reset(&fp1);
  assert_int_equal(sshsig_sign(loaded, SSHSIG_NS_GIT, "", 0, &fp1, &err), LETHE_OK);
  assert_int_equal(verify(fp1.mem, fp1.len, SSHSIG_NS_GIT, "", 0, &err), LETHE_OK);
  assert_int_equal(sshsig_sign(signer, SSHSIG_NS_GIT, "", 0, &fp1, &err), LETHE_E_USAGE);
  db_release(&fp1);
  db_release(&fp2);
  sshsig_free(signer);
  sshsig_free(loaded);
}

static void test_namespace_mismatch(void **state)
{
  struct fixture *f = *state;
  struct lethe_err err;
  assert_int_equal(verify(f->sig.mem, f->sig.len, SSHSIG_NS_GIT, MSG, strlen(MSG), &err),
                   LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "namespace"));
  assert_int_equal(verify(f->sig.mem, f->sig.len, "certificate@lethe2", MSG, strlen(MSG),
                          &err), LETHE_E_UNSAFE);
  assert_int_equal(verify(f->sig.mem, f->sig.len, "certificate", MSG, strlen(MSG), &err),
                   LETHE_E_UNSAFE);
  assert_int_not_equal(verify(f->sig.mem, f->sig.len, "", MSG, strlen(MSG), &err), LETHE_OK);
}

static void test_flipped_message_byte(void **state)
{
  struct fixture *f = *state;
  char msg[] = MSG;
  struct lethe_err err;
  for(size_t i = 0; i < strlen(msg); i++) {
    msg[i] ^= 0x01;
    assert_int_equal(verify(f->sig.mem, f->sig.len, SSHSIG_NS_CERTIFICATE, msg, strlen(msg),
                            &err), LETHE_E_UNSAFE);
    msg[i] ^= 0x01;
  }
  assert_int_equal(verify(f->sig.mem, f->sig.len, SSHSIG_NS_CERTIFICATE, MSG,
                          strlen(MSG) - 1, &err), LETHE_E_UNSAFE);
}

/* Every byte of the decoded blob flipped, re-armored: refused. */
static void test_flipped_signature_byte(void **state)
{
  struct fixture *f = *state;
  unsigned char blob[4096];
  size_t n = decode_blob(&f->sig, blob);
  struct dynbuf armored;
  struct lethe_err err;

  db_init(&armored, 64 * 1024);
  armor_blob(blob, n, &armored);
  assert_string_equal(db_str(&armored), db_str(&f->sig));
  for(size_t i = 0; i < n; i++) {
    for(unsigned bit = 0; bit < 8; bit += 7) {
      blob[i] ^= (unsigned char)(1u << bit);
      armor_blob(blob, n, &armored);
      if(verify(armored.mem, armored.len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG), &err) ==
         LETHE_OK)
        fail_msg("byte %zu bit %u flipped: accepted", i, bit);
      blob[i] ^= (unsigned char)(1u << bit);
    }
  }
  /* And in the armor text itself, each base64 character changed. */
  for(size_t i = strlen(ARMOR_BEGIN); i < f->sig.len - strlen(ARMOR_END); i++) {
    char saved = f->sig.mem[i];
    if(saved == '\n')
      continue;
    f->sig.mem[i] = saved == 'A' ? 'B' : 'A';
    if(verify(f->sig.mem, f->sig.len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG), &err) ==
       LETHE_OK)
      fail_msg("armor character %zu changed: accepted", i);
    f->sig.mem[i] = saved;
  }
  db_release(&armored);
}

static void test_truncated(void **state)
{
  struct fixture *f = *state;
  unsigned char blob[4096];
  size_t n = decode_blob(&f->sig, blob);
  struct dynbuf armored;
  struct lethe_err err;
  char *copy;

  /* Every prefix of the armor, in a buffer of exactly that size (ASan sees
   * any read past it). */
  for(size_t len = 0; len < f->sig.len - 1; len++) {
    copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, f->sig.mem, len);
    if(verify(copy, len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG), &err) != LETHE_E_UNSAFE)
      fail_msg("armor cut at %zu: not refused", len);
    free(copy);
  }
  /* Every prefix of the blob, properly armored. */
  db_init(&armored, 64 * 1024);
  for(size_t len = 0; len < n; len++) {
    armor_blob(blob, len, &armored);
    if(verify(armored.mem, armored.len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG), &err) !=
       LETHE_E_UNSAFE)
      fail_msg("blob cut at %zu: not refused", len);
  }
  /* Trailing bytes after the blob, and after the armor. */
  memcpy(blob + n, "\0\0\0\0", 4);
  armor_blob(blob, n + 4, &armored);
  assert_int_equal(verify(armored.mem, armored.len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG),
                          &err), LETHE_E_UNSAFE);
  db_reset(&armored);
  assert_int_equal(db_add(&armored, f->sig.mem, f->sig.len), LETHE_OK);
  assert_int_equal(db_adds(&armored, "x"), LETHE_OK);
  assert_int_equal(verify(armored.mem, armored.len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG),
                          &err), LETHE_E_UNSAFE);
  db_release(&armored);
}

static void test_garbage(void **state)
{
  struct fixture *f = *state;
  unsigned char blob[4096];
  struct dynbuf armored;
  struct lethe_err err;
  char buf[1024];
  unsigned seed = 12345;

  db_init(&armored, 64 * 1024);
  for(int round = 0; round < 2000; round++) {
    size_t n = (size_t)(rand_r(&seed) % 400);
    for(size_t i = 0; i < n; i++)
      blob[i] = (unsigned char)rand_r(&seed);
    /* Half the time keep a plausible head so the parser goes deeper. */
    if(round % 2 && n > 10)
      memcpy(blob, "SSHSIG\0\0\0\1", 10);
    armor_blob(blob, n, &armored);
    assert_int_equal(verify(armored.mem, armored.len, SSHSIG_NS_CERTIFICATE, MSG,
                            strlen(MSG), &err), LETHE_E_UNSAFE);
    /* Raw bytes as armor. */
    for(size_t i = 0; i < n && i < sizeof(buf); i++)
      buf[i] = (char)blob[i];
    assert_int_equal(verify(buf, n, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG), &err),
                     LETHE_E_UNSAFE);
  }
  /* Broken armor around a good body. */
  {
    static const char *const bad[] = {
      "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
      "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n",
      "-----BEGIN SSH SIGNATURE-----\nU1NI U0lH\n-----END SSH SIGNATURE-----\n",
      "-----BEGIN SSH SIGNATURE-----\n\n-----END SSH SIGNATURE-----\n",
      "-----BEGIN SSH SIGNATURE-----\nU1NIU0l=\n-----END SSH SIGNATURE-----\n",
      "-----BEGIN SSH SIGNATURE-----\nU1=IU0lH\n-----END SSH SIGNATURE-----\n",
      "-----BEGIN SSH SIGNATURE-----\r\nU1NIU0lH\r\n-----END SSH SIGNATURE-----\r\n",
      " -----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
    };
    for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
      assert_int_equal(verify(bad[i], strlen(bad[i]), SSHSIG_NS_CERTIFICATE, MSG,
                              strlen(MSG), &err), LETHE_E_UNSAFE);
  }
  /* Oversized input is refused before it is decoded. */
  {
    size_t big = 1 << 20;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, 'A', big);
    memcpy(huge, ARMOR_BEGIN, strlen(ARMOR_BEGIN));
    assert_int_equal(verify(huge, big, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG), &err),
                     LETHE_E_UNSAFE);
    free(huge);
  }
  (void)f;
  db_release(&armored);
}

/* A valid blob with one field changed: each refused with its reason. */
static void test_foreign_fields(void **state)
{
  struct fixture *f = *state;
  unsigned char blob[4096];
  size_t n = decode_blob(&f->sig, blob);
  struct dynbuf armored;
  struct lethe_err err;
  unsigned char *hash;

  db_init(&armored, 64 * 1024);
  /* Version 2. */
  blob[9] = 2;
  armor_blob(blob, n, &armored);
  assert_int_equal(verify(armored.mem, armored.len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG),
                          &err), LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "version"));
  blob[9] = 1;
  /* Hash algorithm "sha511": find the field by its text. */
  hash = memmem(blob, n, "sha512", 6);
  assert_non_null(hash);
  hash[5] = '1';
  armor_blob(blob, n, &armored);
  assert_int_equal(verify(armored.mem, armored.len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG),
                          &err), LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "hash"));
  /* "sha256" is a valid algorithm, but the signature was made over sha512. */
  memcpy(hash, "sha256", 6);
  armor_blob(blob, n, &armored);
  assert_int_equal(verify(armored.mem, armored.len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG),
                          &err), LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "does not verify"));
  memcpy(hash, "sha512", 6);
  /* Key type "ssh-ed25518". */
  blob[6 + 4 + 4 + 4 + 10] = '8';
  armor_blob(blob, n, &armored);
  assert_int_equal(verify(armored.mem, armored.len, SSHSIG_NS_CERTIFICATE, MSG, strlen(MSG),
                          &err), LETHE_E_UNSAFE);
  db_release(&armored);
}

static void test_public_round_trip(void **state)
{
  struct fixture *f = *state;
  struct sshsig_key *pub = NULL;
  struct dynbuf text, again;
  struct lethe_err err;

  db_init(&text, 4096);
  db_init(&again, 4096);
  assert_int_equal(sshsig_public_openssh(f->key, &text), LETHE_OK);
  assert_int_equal(strncmp(db_str(&text), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", 37), 0);
  assert_int_equal(text.len, 12 + 68);
  if(sshsig_parse_public(db_str(&text), &pub, &err))
    fail_msg("parse: %s", err.msg);
  assert_true(sshsig_same_public(pub, f->key));
  assert_int_equal(sshsig_public_openssh(pub, &again), LETHE_OK);
  assert_string_equal(db_str(&again), db_str(&text));
  sshsig_free(pub);

  /* With a comment and a newline, as in KEY.pub. */
  assert_int_equal(db_adds(&text, " lethe@host\n"), LETHE_OK);
  assert_int_equal(sshsig_parse_public(db_str(&text), &pub, &err), LETHE_OK);
  assert_true(sshsig_same_public(pub, f->key));
  sshsig_free(pub);

  /* Refused: two lines, another type, broken base64, a cut key. */
  assert_int_equal(db_adds(&text, "ssh-ed25519 AAAA\n"), LETHE_OK);
  assert_int_not_equal(sshsig_parse_public(db_str(&text), &pub, &err), LETHE_OK);
  assert_null(pub);
  assert_int_not_equal(sshsig_parse_public("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ", &pub,
                                           &err), LETHE_OK);
  assert_int_not_equal(sshsig_parse_public("ssh-ed25519 !!!!", &pub, &err), LETHE_OK);
  assert_int_not_equal(sshsig_parse_public("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", &pub, &err),
                       LETHE_OK);
  assert_int_not_equal(sshsig_parse_public("", &pub, &err), LETHE_OK);
  /* An ssh-rsa blob under an ssh-ed25519 label. */
  assert_int_not_equal(sshsig_parse_public("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB", &pub, &err),
                       LETHE_OK);
  assert_null(pub);
  db_release(&text);
  db_release(&again);
}

static void test_key_mode_refused(void **state)
{
  struct fixture *f = *state;
  struct sshsig_key *key = NULL;
  struct lethe_err err;

  assert_int_equal(chmod(f->key_path, 0644), 0);
  assert_int_equal(sshsig_load(f->key_path, &key, &err), LETHE_E_UNSAFE);
  assert_null(key);
  assert_non_null(strstr(err.msg, f->key_path));
  assert_non_null(strstr(err.msg, "0644"));
  assert_int_equal(chmod(f->key_path, 0640), 0);
  assert_int_equal(sshsig_load(f->key_path, &key, &err), LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "0640"));
  assert_int_equal(chmod(f->key_path, 0400), 0);
  assert_int_equal(sshsig_load(f->key_path, &key, &err), LETHE_OK);
  sshsig_free(key);
  key = NULL;
  /* Owned by someone else (only root can arrange that). */
  if(geteuid() == 0) {
    assert_int_equal(chown(f->key_path, 65534, 65534), 0);
    assert_int_equal(sshsig_load(f->key_path, &key, &err), LETHE_E_UNSAFE);
    assert_non_null(strstr(err.msg, "owned by uid 65534"));
    assert_null(key);
  }
}

static void test_key_symlink_refused(void **state)
{
  struct fixture *f = *state;
  struct sshsig_key *key = NULL;
  struct lethe_err err;
  char link_path[160];

  snprintf(link_path, sizeof(link_path), "%s/link.key", f->dir);
  assert_int_equal(symlink(f->key_path, link_path), 0);
  assert_int_equal(sshsig_load(link_path, &key, &err), LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "symbolic link"));
  assert_null(key);
  /* A directory, a missing file, and a file that is not a key. */
  assert_int_equal(sshsig_load(f->dir, &key, &err), LETHE_E_UNSAFE);
  snprintf(link_path, sizeof(link_path), "%s/missing.key", f->dir);
  assert_int_equal(sshsig_load(link_path, &key, &err), LETHE_E_NOTFOUND);
  {
    int fd = open(link_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "not a key\n", 10), 10);
    close(fd);
  }
  assert_int_equal(sshsig_load(link_path, &key, &err), LETHE_E_PARSE);
  assert_null(key);
  assert_null(strstr(err.msg, "not a key\n"));
}

static void test_generate_never_overwrites(void **state)
{
  struct fixture *f = *state;
  struct sshsig_key *key = NULL;
  struct lethe_err err;
  struct stat st;
  char dangling[160];

  assert_int_equal(sshsig_generate(f->key_path, &key, &err), LETHE_E_UNSAFE);
  assert_null(key);
  assert_non_null(strstr(err.msg, "exists"));
  /* The original key is still the one on disk. */
  assert_int_equal(sshsig_load(f->key_path, &key, &err), LETHE_OK);
  assert_true(sshsig_same_public(key, f->key));
  sshsig_free(key);
  key = NULL;
  assert_int_equal(stat(f->key_path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0600);
  /* A dangling symlink is not followed to create a file elsewhere. */
  snprintf(dangling, sizeof(dangling), "%s/dangling.key", f->dir);
  assert_int_equal(symlink("/tmp/lethe-test-sshsig-nowhere", dangling), 0);
  assert_int_equal(sshsig_generate(dangling, &key, &err), LETHE_E_UNSAFE);
  assert_int_equal(access("/tmp/lethe-test-sshsig-nowhere", F_OK), -1);
  /* No temporary file is left behind. */
  {
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "test -z \"$(find '%s' -name '.*tmp')\"", f->dir);
    assert_int_equal(system(cmd), 0);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown(test_namespace_mismatch, setup, teardown),
    cmocka_unit_test_setup_teardown(test_flipped_message_byte, setup, teardown),
    cmocka_unit_test_setup_teardown(test_flipped_signature_byte, setup, teardown),
    cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
    cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
    cmocka_unit_test_setup_teardown(test_foreign_fields, setup, teardown),
    cmocka_unit_test_setup_teardown(test_public_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown(test_key_mode_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_key_symlink_refused, setup, teardown),
    cmocka_unit_test_setup_teardown(test_generate_never_overwrites, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
