#ifndef DEFT_IMAGE_CODEC_H
#define DEFT_IMAGE_CODEC_H
#include <stddef.h>
#endif
