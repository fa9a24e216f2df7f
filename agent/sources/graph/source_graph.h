/* The graph:// source: Microsoft 365 mail folders, calendars and drives
 * over Microsoft Graph. This build recognises its rules (so that they are
 * checked like any other) but cannot scan them yet: planning a graph rule
 * reports that as the rule's error. */
#ifndef LETHE_SOURCE_GRAPH_H
#define LETHE_SOURCE_GRAPH_H

#include "source.h"

extern const struct source_ops source_graph_ops;

#endif
