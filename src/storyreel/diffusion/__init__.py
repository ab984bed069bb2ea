"""Local generation with diffusers (extra `diffusion`): the model registry, pipeline loading and
the calls shared by the stills and motion backends. Nothing here imports torch until a backend
is asked for a picture, so `import storyreel` never pays for it."""
