/* plugin_tool: the one test host for deletion plugins. It loads a plugin
 * with the agent's own loader (plugin_host.c: the same checks, the same
 * conversion for older ABI versions) and drives it in one of four modes:
 *
 *   plugin_tool inspect PLUGIN.so
 *       what the entry point returns, without the loader's checks
 *   plugin_tool item [--rule NAME] [--source URI] [--detail] [--run-before CMD]
 *                    PLUGIN.so [KEY=VALUE]... [-- FIELD=VALUE...]
 *       one hand-made item (tool_item.c)
 *   plugin_tool files [-r RULE] [-S SUBJECT] [-s KEY=VALUE]... [-R ROOT]
 *                     [-I IDENTITY] [-w SIGNAL] [-b] PLUGIN.so FILE...
 *       real files as items (tool_files.c)
 *   plugin_tool messages -S SOURCE [-s KEY=VALUE]... [-w SIGNAL] [-1] [-f FILE]
 *                        PLUGIN.so IDENTITY...
 *       IMAP messages as items (tool_messages.c)
 *
 * Each mode's file says what it prints and how it exits. */
#ifndef LETHE_TEST_PLUGIN_TOOL_H
#define LETHE_TEST_PLUGIN_TOOL_H

#include "lethe/plugin.h"
#include "plugin_host.h"

#define TOOL_MAX_SETTINGS 32

int tool_inspect(int argc, char **argv);
int tool_item(int argc, char **argv);
int tool_files(int argc, char **argv);
int tool_messages(int argc, char **argv);

/* Load PLUGIN.so as the agent would: from its directory, by its name.
 * Prints the loader's refusal and exits 2 on failure. */
void tool_load(const char *so, struct loaded_plugin *p);

/* "KEY=VALUE" split in place into settings[*n]; false when malformed or full. */
bool tool_setting(char *kv, struct lethe_setting *settings, size_t *n);

/* "deleted", "failed", "skipped", "held" (upper case when upper). */
const char *tool_result(enum lethe_result r, bool upper);

/* The outcome's detail: its long form when the plugin gave one. */
const char *tool_detail(const struct lethe_outcome *o);

/* Create SIGNAL.ready, then wait (up to a minute) until SIGNAL exists. */
void tool_wait_for(const char *signal);

/* Delete n items through the loader's plugin_delete, in one batch when
 * batch, else one at a time; outcomes are zeroed and sized first. 0, or 1
 * when the plugin gave up. */
int tool_delete(const struct loaded_plugin *p, void *state, struct lethe_item *items,
                size_t n, struct lethe_outcome *outs, bool batch);

#endif
