/* Empty on purpose: lethe-lazy-deps.so exists for its link (meson.build
 * in this folder says why). ISO C wants a declaration in every file. */
typedef int lethe_lazy_probe_unused;
