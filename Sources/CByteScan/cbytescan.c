// The function is static inline in the header; this file gives the target a source.
#include "cbytescan.h"
