/* Logging lethe run's notices. No message here holds a secret: SMTP
 * errors name the server and the credentials file, never the password. */
#include "run_notices.h"

#include "cli.h"
#include "log.h"
#include "notify.h"

static void note(void *ctx, const char *to, size_t items, bool attached, const char *error)
{
  (void)ctx;
  if(error)
    log_msg(LOG_ERR, "notice to %s (%zu item%s entering grace) not sent: %s; the next run "
            "tries again", to, items, items == 1 ? "" : "s", error);
  else
    log_msg(LOG_NOTICE, "notice sent to %s: %zu item%s entering grace%s", to, items,
            items == 1 ? "" : "s", attached ? ", HTML report attached" :
            ", HTML report too large to attach");
}

int run_notices(const struct config *cfg, struct plan *p)
{
  struct notify_counts n;
  struct lethe_err err = { 0 };
  if(notify_send(cfg, p, note, NULL, &n, &err)) {
    log_msg(LOG_ERR, "notices: %s", err.msg);
    return EXIT_SOME_FAILED;
  }
  if(n.unowned)
    log_msg(LOG_WARNING, "%llu item%s entering grace %s no owner in the events file "
            "(notify-column) and no notify address: nobody was told",
            (unsigned long long)n.unowned, n.unowned == 1 ? "" : "s",
            n.unowned == 1 ? "has" : "have");
  if(n.sent || n.failed || n.already)
    log_msg(LOG_NOTICE, "notices: %u sent (%llu item notice%s), %u failed, %llu already "
            "sent", n.sent, (unsigned long long)n.items, n.items == 1 ? "" : "s", n.failed,
            (unsigned long long)n.already);
  return n.failed ? EXIT_SOME_FAILED : EXIT_DONE;
}
