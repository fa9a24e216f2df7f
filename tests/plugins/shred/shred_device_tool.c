/* shred_device_tool SYSFS MAJ:MIN [DECLARED...]: what shred_device_in_place
 * finds for a block device under a sysfs laid out by a test, as one line:
 * "in-place: TEXT" or "not: TEXT". */
#include <stdio.h>
#include <string.h>

#include "shred_device.h"

int main(int argc, char **argv)
{
  struct shred_declared declared = { .n = 0 };
  unsigned maj, min;
  char text[512];
  bool yes;
  if(argc < 3 || sscanf(argv[2], "%u:%u", &maj, &min) != 2) {
    fprintf(stderr, "usage: shred_device_tool SYSFS MAJ:MIN [DECLARED...]\n");
    return 2;
  }
  for(int i = 3; i < argc && declared.n < SHRED_DECLARED_MAX; i++)
    snprintf(declared.name[declared.n++], SHRED_DEVICE_NAME_MAX, "%s", argv[i]);
  yes = shred_device_in_place(argv[1], maj, min, &declared, text, sizeof(text));
  printf("%s: %s\n", yes ? "in-place" : "not", text);
  return 0;
}
