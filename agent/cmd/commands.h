/* One function per command, each in cmd_NAME.c; main.c dispatches. */
#ifndef LETHE_COMMANDS_H
#define LETHE_COMMANDS_H

int cmd_check(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_show(int argc, char **argv);

#endif
