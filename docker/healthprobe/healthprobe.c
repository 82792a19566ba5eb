/*
 * healthprobe: the health check client of the shell-less runtime images.
 *
 *   healthprobe http://127.0.0.1:PORT/PATH [TIMEOUT_SECONDS]
 *
 * One HTTP/1.0 GET; exits 0 when the status is 2xx or 3xx (as a Kubernetes httpGet
 * probe judges it, no redirect followed), 1 on any other status, a refused or failed
 * connection, or no answer within TIMEOUT_SECONDS (default 2). Bounds itself: Engine
 * 20.10 does not kill a check that outlives the health check's timeout.
 *
 * Built static in each image's builder stage (gcc -static -Os), so the runtime needs
 * no shell, no C library of its own for it, and no interpreter start per check
 * (~1 ms of CPU, where `python -c` or `node -e` take 20-70 ms). The host is a numeric
 * IPv4 address: no resolver, so no NSS, which a static glibc cannot load.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "healthprobe: timed out\n";
  (void)!write(2, msg, sizeof msg - 1);
  _exit(1);
}

static int fail(const char *what, const char *detail) {
  fprintf(stderr, "healthprobe: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) return fail("usage: healthprobe http://IPV4:PORT/PATH [TIMEOUT_SECONDS]", NULL);
  const char *url = argv[1];
  int timeout = argc == 3 ? atoi(argv[2]) : 2;
  if (timeout <= 0) return fail("timeout must be a positive number of seconds", argv[2]);
  if (strncmp(url, "http://", 7) != 0) return fail("only http:// URLs", url);

  char host[64];
  const char *h = url + 7;
  size_t n = strcspn(h, ":/");
  if (n == 0 || n >= sizeof host) return fail("bad host in", url);
  memcpy(host, h, n);
  host[n] = '\0';
  const char *rest = h + n;
  long port = 80;
  if (*rest == ':') {
    char *end;
    port = strtol(rest + 1, &end, 10);
    if (end == rest + 1 || port <= 0 || port > 65535) return fail("bad port in", url);
    rest = end;
  }
  const char *path = *rest ? rest : "/";
  if (*path != '/' || strlen(path) > 2048 || strpbrk(path, " \r\n")) return fail("bad path in", url);

  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return fail("the host must be a numeric IPv4 address (127.0.0.1)", host);

  signal(SIGALRM, on_alarm);
  alarm((unsigned)timeout);

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return fail("socket", NULL);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) return fail("cannot connect to", url);

  char req[2200];
  int len = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: healthprobe\r\nConnection: close\r\n\r\n", path, host);
  for (int off = 0; off < len;) {
    ssize_t w = write(fd, req + off, (size_t)(len - off));
    if (w <= 0) return fail("cannot send to", url);
    off += (int)w;
  }

  /* "HTTP/1.x NNN": the first digit of the status is the 10th byte. */
  char head[16];
  size_t got = 0;
  while (got < 12) {
    ssize_t r = read(fd, head + got, 12 - got);
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  head[got] = '\0';
  /* "HTTP/1.x " then three digits; anything else is not an HTTP answer. */
  if (got < 12 || strncmp(head, "HTTP/", 5) != 0 || head[8] != ' ' || head[9] < '1' || head[9] > '5' ||
      head[10] < '0' || head[10] > '9' || head[11] < '0' || head[11] > '9')
    return fail("no HTTP answer from", url);
  if (head[9] == '2' || head[9] == '3') return 0;
  fprintf(stderr, "healthprobe: %s answered %.3s\n", url, head + 9);
  return 1;
}
