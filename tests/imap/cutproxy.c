/* A loopback TCP proxy that cuts the connection at a chosen command, to test
 * what a mailbox plugin reports when the server drops it mid-batch.
 *
 * usage: cutproxy PORTFILE TARGET_PORT PATTERN COUNT
 *
 * Listens on 127.0.0.1 (a free port, written to PORTFILE), relays each
 * connection to 127.0.0.1:TARGET_PORT in turn, and counts PATTERN in what
 * clients send. The data holding its COUNT-th occurrence is passed on to
 * the server, then both sides are closed at once: the server acts on the
 * command, the client never hears how it went. Later connections are relayed
 * untouched. Runs until killed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int seen;

static int dial(int port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  int s = socket(AF_INET, SOCK_STREAM, 0);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if(s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
    perror("cutproxy: connect");
    exit(2);
  }
  return s;
}

static int send_all(int fd, const char *p, size_t n)
{
  while(n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if(w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Count pattern in buf, with the tail of the previous read (a pattern split
 * across reads still counts). */
static int count(char *tail, size_t *tail_len, const char *buf, size_t n, const char *pat)
{
  size_t plen = strlen(pat), len = *tail_len + n, found = 0;
  char *joined = malloc(len + 1);
  if(!joined)
    exit(2);
  memcpy(joined, tail, *tail_len);
  memcpy(joined + *tail_len, buf, n);
  joined[len] = '\0';
  for(char *p = joined; (p = memmem(p, (size_t)(joined + len - p), pat, plen)); p += plen)
    found++;
  *tail_len = len < plen - 1 ? len : plen - 1;
  memcpy(tail, joined + len - *tail_len, *tail_len);
  free(joined);
  return (int)found;
}

static void relay(int client, int server, const char *pat, int cut_at)
{
  struct pollfd p[2] = { { .fd = client, .events = POLLIN }, { .fd = server, .events = POLLIN } };
  char buf[65536], tail[256];
  size_t tail_len = 0;
  for(;;) {
    if(poll(p, 2, -1) < 0)
      break;
    if(p[0].revents) {
      ssize_t r = recv(client, buf, sizeof(buf), 0);
      if(r <= 0)
        break;
      if(seen < cut_at) {
        seen += count(tail, &tail_len, buf, (size_t)r, pat);
        if(seen >= cut_at) {
          send_all(server, buf, (size_t)r);
          usleep(200 * 1000); /* let the server read it before the close */
          break;
        }
      }
      if(send_all(server, buf, (size_t)r))
        break;
    }
    if(p[1].revents) {
      ssize_t r = recv(server, buf, sizeof(buf), 0);
      if(r <= 0 || send_all(client, buf, (size_t)r))
        break;
    }
  }
  close(client);
  close(server);
}

int main(int argc, char **argv)
{
  struct sockaddr_in a = { .sin_family = AF_INET };
  socklen_t len = sizeof(a);
  int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  FILE *f;
  if(argc != 5 || strlen(argv[3]) >= 256 || !argv[3][0]) {
    fprintf(stderr, "usage: cutproxy PORTFILE TARGET_PORT PATTERN COUNT\n");
    return 2;
  }
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if(lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4) ||
     getsockname(lfd, (struct sockaddr *)&a, &len)) {
    perror("cutproxy: listen");
    return 2;
  }
  f = fopen(argv[1], "w");
  if(!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 || fclose(f))
    return 2;
  for(;;) {
    int c = accept(lfd, NULL, NULL);
    if(c < 0)
      continue;
    relay(c, dial(atoi(argv[2])), argv[3], atoi(argv[4]));
  }
}
