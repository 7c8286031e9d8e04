"""DQN on CartPole-v1 (examples/dqn.py at small size): epsilon-greedy acting with argmax, a replay buffer,
gather, a copy.deepcopy target network refreshed with load_state_dict, F.smooth_l1_loss, clip_grad_norm_
and Adam, 400 steps. The environment is seeded, and gymnasium is deterministic given the actions, so equal
actions give equal trajectories; prints each episode's actions and return and the loss every 25 steps."""
import copy
import random

import gymnasium as gym
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

random.seed(0)
torch.manual_seed(0)
env = gym.make("CartPole-v1")
q_net = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 2))
target_net = copy.deepcopy(q_net)
optimizer = torch.optim.Adam(q_net.parameters(), lr=1e-2)
buffer = []
state, _ = env.reset(seed=0)
actions, episode = [], 0
for step in range(1, 401):
    epsilon = max(0.1, 1.0 - step / 200)
    if random.random() < epsilon:
        action = random.randrange(2)
    else:
        with torch.no_grad():
            action = q_net(torch.from_numpy(state)).argmax().item()
    next_state, reward, terminated, truncated, _ = env.step(action)
    buffer.append((state, action, reward, next_state, terminated))
    state = next_state
    actions.append(action)
    if len(buffer) >= 32:
        s, a, r, s2, done = zip(*random.sample(buffer, 32))
        s, s2 = torch.from_numpy(np.stack(s)), torch.from_numpy(np.stack(s2))
        a, r, done = torch.tensor(a), torch.tensor(r, dtype=torch.float32), torch.tensor(done, dtype=torch.float32)
        q = q_net(s).gather(1, a.unsqueeze(1)).squeeze(1)
        with torch.no_grad():
            target = r + 0.99 * target_net(s2).max(1).values * (1 - done)
        loss = F.smooth_l1_loss(q, target)
        optimizer.zero_grad(); loss.backward()
        nn.utils.clip_grad_norm_(q_net.parameters(), 10.0)
        optimizer.step()
        if step % 25 == 0:
            print(f"step {step} loss {loss.item():.6f}")
    if step % 50 == 0:
        target_net.load_state_dict(q_net.state_dict())
    if terminated or truncated:
        episode += 1
        print(f"episode {episode} return {len(actions)} actions {''.join(map(str, actions))}")
        state, _ = env.reset()
        actions = []
with torch.no_grad():
    print("Q of the last state", [round(v, 5) for v in q_net(torch.from_numpy(state)).tolist()])
