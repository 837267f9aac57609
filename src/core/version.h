/*
 * version — the release this build is.
 */
#ifndef MAMORI_CORE_VERSION_H
#define MAMORI_CORE_VERSION_H

#define MAMORI_VERSION "0.1.0"

#endif
