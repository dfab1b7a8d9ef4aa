#pragma once
struct Other {};
