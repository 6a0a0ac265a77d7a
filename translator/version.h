/* version.h -- the translator's version; meson.build checks that it is the
 * project's. */
#ifndef TYPEGC_VERSION_H
#define TYPEGC_VERSION_H

#define TYPEGC_VERSION "0.1.0"

#endif
