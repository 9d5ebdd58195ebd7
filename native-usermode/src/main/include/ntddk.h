/*
 * ntddk.h - the simulator gives the driver core no more than wdm.h does.
 */
#ifndef RESMAP_SIM_NTDDK_H
#define RESMAP_SIM_NTDDK_H

#include <wdm.h>

#endif /* RESMAP_SIM_NTDDK_H */
