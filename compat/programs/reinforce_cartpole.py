"""REINFORCE on CartPole-v1 (examples/reinforce.py at small size): actions sampled from
distributions.Categorical under no_grad, normalised discounted returns, episodes padded to the 500-step
limit, and the policy-gradient loss through Categorical.log_prob with Adam, 8 episodes. The environment is
seeded, and gymnasium is deterministic given the actions, so equal sampled actions give equal
trajectories; prints each episode's actions, return and loss."""
import gymnasium as gym
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical

torch.manual_seed(0)
env = gym.make("CartPole-v1")
policy = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 2), nn.Softmax(dim=-1))
optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)
for episode in range(8):
    state, _ = env.reset(seed=episode)
    states, actions, rewards = [], [], []
    done = False
    while not done:
        with torch.no_grad():
            action = Categorical(policy(torch.from_numpy(state))).sample().item()
        states.append(state); actions.append(action)
        state, reward, terminated, truncated, _ = env.step(action)
        rewards.append(reward)
        done = terminated or truncated
    returns = np.zeros(500, dtype=np.float32)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + 0.99 * running
        returns[t] = running
    n = len(rewards)
    returns[:n] = (returns[:n] - returns[:n].mean()) / (returns[:n].std() + 1e-8)
    padded_states = np.zeros((500, 4), dtype=np.float32); padded_states[:n] = np.stack(states)
    padded_actions = np.zeros(500, dtype=np.int64); padded_actions[:n] = actions
    dist = Categorical(policy(torch.from_numpy(padded_states)))
    loss = -(dist.log_prob(torch.from_numpy(padded_actions)) * torch.from_numpy(returns)).sum()
    optimizer.zero_grad(); loss.backward(); optimizer.step()
    print(f"episode {episode} return {n} loss {loss.item():.6f} entropy {dist.entropy()[:n].mean().item():.6f}")
    print("  actions", "".join(map(str, actions)))
