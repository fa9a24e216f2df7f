/* A deliberately small IMAP client for the tests, sharing no code with
 * Lethe's own (so a shared mistake cannot hide): it logs in, sends each line
 * of its standard input as one tagged command, and prints every response
 * line as the server sent it, literals included.
 *
 * usage: imap_peer PORT USER PASSWORD < commands
 *        imap_peer --free-port        print a TCP port free on 127.0.0.1
 *
 * In a command, each word "@FILE" is replaced by the contents of FILE as a
 * non-synchronising literal ({N+}, RFC 7888), for APPEND (several make a
 * MULTIAPPEND). Lines that are empty or start with '#' are skipped.
 *
 * Exit status: 0 when every command got OK, 1 when one got NO or BAD (the
 * others still run), 2 on a usage, connection or protocol error. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINE_MAX_ 65536

static int sock = -1;
static char inbuf[1 << 20];
static size_t in_len, in_off;

static void die(const char *what)
{
  fprintf(stderr, "imap_peer: %s\n", what);
  exit(2);
}

static void send_all(const char *p, size_t n)
{
  while(n) {
    ssize_t w = send(sock, p, n, MSG_NOSIGNAL);
    if(w < 0 && errno == EINTR)
      continue;
    if(w <= 0)
      die("send failed");
    p += w;
    n -= (size_t)w;
  }
}

static int fill(void)
{
  ssize_t r;
  if(in_off) {
    memmove(inbuf, inbuf + in_off, in_len - in_off);
    in_len -= in_off;
    in_off = 0;
  }
  if(in_len == sizeof(inbuf))
    die("response line too long");
  do
    r = recv(sock, inbuf + in_len, sizeof(inbuf) - in_len, 0);
  while(r < 0 && errno == EINTR);
  if(r <= 0)
    return -1;
  in_len += (size_t)r;
  return 0;
}

/* Print one line (with its CRLF) and return it in line (NUL-terminated). */
static void read_line(char *line, size_t max)
{
  for(;;) {
    char *lf = memchr(inbuf + in_off, '\n', in_len - in_off);
    if(lf) {
      size_t n = (size_t)(lf - (inbuf + in_off)) + 1;
      fwrite(inbuf + in_off, 1, n, stdout);
      if(n >= max)
        n = max - 1;
      memcpy(line, inbuf + in_off, n);
      line[n] = '\0';
      in_off += (size_t)(lf - (inbuf + in_off)) + 1;
      return;
    }
    if(fill())
      die("connection closed by the server");
  }
}

static void copy_literal(unsigned long n)
{
  while(n) {
    size_t avail = in_len - in_off, take = avail < n ? avail : n;
    if(!take) {
      if(fill())
        die("connection closed inside a literal");
      continue;
    }
    fwrite(inbuf + in_off, 1, take, stdout);
    in_off += take;
    n -= take;
  }
}

/* Read one whole response; return its first line's tag word in tag. */
static void read_response(char *first, size_t max)
{
  char line[LINE_MAX_];
  int n = 0;
  for(;;) {
    size_t len;
    char *brace;
    read_line(line, sizeof(line));
    if(!n++)
      snprintf(first, max, "%s", line);
    len = strlen(line);
    while(len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    brace = strrchr(line, '{');
    if(!len || line[len - 1] != '}' || !brace)
      return;
    copy_literal(strtoul(brace + 1, NULL, 10));
  }
}

static void connect_to(int port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sock = socket(AF_INET, SOCK_STREAM, 0);
  if(sock < 0 || connect(sock, (struct sockaddr *)&a, sizeof(a)))
    die("cannot connect");
}

static char *file_literal(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  char *data;
  long size;
  if(!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
    die("cannot read a literal file");
  data = malloc((size_t)size + 1);
  if(!data || fread(data, 1, (size_t)size, f) != (size_t)size)
    die("cannot read a literal file");
  fclose(f);
  *n = (size_t)size;
  return data;
}

/* Send "Tn command", each word "@FILE" replaced by FILE as a literal (so
 * one APPEND can carry many messages, RFC 3502 MULTIAPPEND). */
static void send_command(int n, char *cmd)
{
  char head[64];
  int len = snprintf(head, sizeof(head), "T%d ", n);
  char *p = cmd;
  send_all(head, (size_t)len);
  while(*p) {
    char *at = strstr(p, "@");
    size_t size;
    char *data, *end;
    while(at && at != cmd && at[-1] != ' ')
      at = strstr(at + 1, "@");
    if(!at) {
      send_all(p, strlen(p));
      break;
    }
    send_all(p, (size_t)(at - p));
    end = at + strcspn(at, " ");
    {
      char path[4096];
      snprintf(path, sizeof(path), "%.*s", (int)(end - at - 1), at + 1);
      data = file_literal(path, &size);
    }
    len = snprintf(head, sizeof(head), "{%zu+}\r\n", size);
    send_all(head, (size_t)len);
    send_all(data, size);
    free(data);
    p = end;
  }
  send_all("\r\n", 2);
}

/* Run one command; 0 if it got OK. */
static int run(int n, char *cmd)
{
  char tag[32], first[LINE_MAX_];
  snprintf(tag, sizeof(tag), "T%d ", n);
  send_command(n, cmd);
  for(;;) {
    read_response(first, sizeof(first));
    if(!strncmp(first, tag, strlen(tag)))
      return strncmp(first + strlen(tag), "OK", 2) != 0;
  }
}

static int free_port(void)
{
  struct sockaddr_in a = { .sin_family = AF_INET };
  socklen_t len = sizeof(a);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if(s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
     getsockname(s, (struct sockaddr *)&a, &len))
    die("cannot find a free port");
  printf("%d\n", ntohs(a.sin_port));
  close(s);
  return 0;
}

int main(int argc, char **argv)
{
  static char line[1 << 20];
  char login[1024], first[LINE_MAX_];
  int n = 0, failed = 0;
  if(argc == 2 && !strcmp(argv[1], "--free-port"))
    return free_port();
  if(argc != 4)
    die("usage: imap_peer PORT USER PASSWORD < commands");
  connect_to(atoi(argv[1]));
  read_response(first, sizeof(first)); /* greeting */
  snprintf(login, sizeof(login), "LOGIN \"%s\" \"%s\"", argv[2], argv[3]);
  if(run(++n, login))
    die("login failed");
  while(fgets(line, sizeof(line), stdin)) {
    line[strcspn(line, "\r\n")] = '\0';
    if(!line[0] || line[0] == '#')
      continue;
    failed |= run(++n, line);
  }
  snprintf(line, sizeof(line), "LOGOUT");
  run(++n, line);
  close(sock);
  return failed;
}
